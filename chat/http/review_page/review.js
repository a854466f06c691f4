// The review page, better with JavaScript: the comment's time from the video, the name typed once, posts as JSON.
// What a reviewer typed is only ever put on the page as text (textContent), never as markup.
"use strict";
document.documentElement.classList.add("js");

const NAME_KEY = `clapboard-review-name:${location.pathname}`;  // this link's: another team's link starts empty

function clock(seconds) {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function localTime(node) {
  const moment = new Date(node.getAttribute("datetime"));
  if (!Number.isNaN(moment.getTime())) {
    node.textContent = moment.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }
}

function span(cls, text) {
  const node = document.createElement("span");
  node.className = cls;
  node.textContent = text;
  return node;
}

function noteItem(note) {
  const li = document.createElement("li");
  li.className = `note note--${note.kind.replace(/ /g, "-")}`;
  li.id = `note-${note.id}`;
  const head = document.createElement("p");
  head.className = "note__head";
  head.append(span("note__name", note.name), " ", span("note__kind", note.kind_words));
  if (note.at) {
    const at = document.createElement("button");
    at.type = "button";
    at.className = "at";
    at.dataset.seek = String(note.at_s);
    at.textContent = `at ${note.at}`;
    head.append(" ", at);
  }
  const when = document.createElement("time");
  when.className = "note__when";
  when.setAttribute("datetime", note.created_at);
  when.textContent = note.when;
  localTime(when);
  head.append(" ", when);
  li.append(head);
  if (note.text) {
    const text = document.createElement("p");
    text.className = "note__text";
    text.textContent = note.text;
    li.append(text);
  }
  return li;
}

function setUp(item) {
  const video = item.querySelector("video");
  const form = item.querySelector("[data-respond]");
  const at = form.querySelector("[data-at]");
  const atLabel = form.querySelector("[data-at-label]");
  const error = form.querySelector("[data-error]");
  let watched = false;

  function showTime() {
    if (!watched) return;
    at.value = video.currentTime.toFixed(1);
    atLabel.textContent = ` at ${clock(video.currentTime)}`;
  }
  ["play", "seeked"].forEach((kind) => video.addEventListener(kind, () => { watched = true; showTime(); }));
  ["timeupdate", "pause"].forEach((kind) => video.addEventListener(kind, showTime));

  item.addEventListener("click", (event) => {
    const seek = event.target.closest("[data-seek]");
    if (seek) {
      video.currentTime = Number(seek.dataset.seek);
      video.scrollIntoView({ behavior: "smooth", block: "center" });
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter;
    const decision = button && button.name === "decision" ? button.value : null;
    const data = new FormData(form);
    const body = { creative_id: data.get("creative_id"), name: data.get("name") };
    if (decision) {
      Object.assign(body, { decision, note: data.get("text") });
    } else {
      Object.assign(body, { text: data.get("text"), at_s: data.get("at_s") === "" ? null : Number(data.get("at_s")) });
    }
    const action = button && button.getAttribute("formaction") ? button.getAttribute("formaction") : form.getAttribute("action");
    form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    error.hidden = true;
    try {
      const answer = await fetch(action, {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      const said = await answer.json();
      if (answer.status !== 201) throw new Error(said.detail || "That was not sent. Try again.");
      item.querySelector("[data-notes]").append(noteItem(said));
      item.querySelector("[data-empty]").hidden = true;
      if (said.status) {  // a decision: this link's status of the video is now that
        const status = item.querySelector("[data-status]");
        status.textContent = said.status.charAt(0).toUpperCase() + said.status.slice(1);
        status.className = `status status--${said.status.replace(/ /g, "-")}`;
      }
      form.querySelector("[data-text]").value = "";
      localStorage.setItem(NAME_KEY, body.name);
    } catch (failure) {
      error.textContent = failure instanceof SyntaxError ? "That was not sent. Try again." : failure.message;
      error.hidden = false;
    } finally {
      form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const names = Array.from(document.querySelectorAll("[data-name]"));
  const remembered = localStorage.getItem(NAME_KEY) || "";
  names.forEach((input) => {
    if (!input.value) input.value = remembered;
    input.addEventListener("input", () => names.forEach((other) => { if (other !== input) other.value = input.value; }));
  });
  document.querySelectorAll("time[datetime]").forEach(localTime);
  document.querySelectorAll("[data-item]").forEach(setUp);
});
