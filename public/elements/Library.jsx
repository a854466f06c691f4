// The campaign library (chat/library.py sends it): the team's spend this month against its budget, then each
// campaign with its spend, its creatives as cards to play, download, export (the chat then asks which placements:
// chat/exports.py), rename and delete, and its review: a status badge, what reviewers said, the live review links
// with Copy and Revoke, and Share for review. A reviewer's words are only ever text children (React escapes them),
// never HTML, markdown or an address. Changes go through the app's action callbacks, which answer with fresh props.
// Layout uses inline styles: only the Tailwind classes Chainlit's own pages use are in its stylesheet.
import { useEffect, useRef, useState } from "react"
import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { Check, Copy, Download, Link2Off, Package, Pencil, Play, RefreshCw, Send, Trash2, X } from "lucide-react"
import { toast } from "sonner"

const NOTES_SHOWN = 3  // a card shows the latest notes; "Show all" the rest (a busy link would stretch it)
const NOTE_TEXT = { whiteSpace: "pre-wrap", overflowWrap: "anywhere" }
const CLIPPED = { display: "-webkit-box", WebkitLineClamp: 4, WebkitBoxOrient: "vertical", overflow: "hidden" }
const GRID = { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(250px, 1fr))", gap: "12px" }
// Every card's screen is 4:3 whatever the format (overflow hidden: else a tall video stretches it).
const SCREEN = { position: "relative", aspectRatio: "4 / 3", overflow: "hidden", background: "#0b0b0c" }
const VIDEO = { position: "absolute", inset: 0, width: "100%", height: "100%", objectFit: "contain" }
const PLAY = { position: "absolute", left: "10px", bottom: "10px", display: "flex", alignItems: "center", gap: "6px",
               padding: "6px 12px 6px 10px", borderRadius: "999px", border: 0, cursor: "pointer", color: "white",
               background: "rgba(0, 0, 0, 0.65)", fontSize: "13px", fontWeight: 600 }

// A review status's badge: its words and colours (text, background).
const BADGES = {
  "draft": ["Draft", "#52525b", "#f4f4f5"],
  "in review": ["In review", "#1d4ed8", "#dbeafe"],
  "approved": ["Approved", "#15803d", "#dcfce7"],
  "changes requested": ["Changes requested", "#b45309", "#fef3c7"],
}

function plural(n, noun) {
  return `${n} ${noun}${n === 1 ? "" : "s"}`
}

function when(iso) {
  return new Date(iso).toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })
}

export default function Library() {
  const [busy, setBusy] = useState(false)

  async function act(name, payload) {
    setBusy(true)
    try {
      const answer = await callAction({ name, payload: { ...payload, campaign: props.campaign } })
      const result = (answer && answer.response) || {}
      if (result.error) toast.error(result.error)
      if (result.props) await updateElement(result.props)
      return !result.error
    } catch (err) {
      toast.error("The library could not be updated. Reload the page and try again.")
      return false
    } finally {
      setBusy(false)
    }
  }

  useEffect(() => {
    if (props.expires_at && Date.now() / 1000 > props.expires_at - 60) act("library_refresh", {})
  }, [])
  const hidden = props.total.creatives - props.shown
  return (
    <div id="campaign-library" className="flex flex-col gap-4 w-full">
      <div className="flex items-center justify-between">
        <div>
          <div className="text-lg font-semibold">{props.campaign ? props.campaign : "Campaign library"}</div>
          <div className="text-sm text-muted-foreground">
            {plural(props.total.creatives, "creative")} · {props.total.spend === "free" ? "nothing spent" : `${props.total.spend} spent`}
            {hidden > 0 ? ` · showing the newest ${props.shown}` : ""}
          </div>
          {props.month ? (
            <div data-field="month" className="text-sm font-medium">{props.month}</div>
          ) : null}
        </div>
        <Button variant="ghost" size="sm" disabled={busy} onClick={() => act("library_refresh", {})}>
          <RefreshCw /> Refresh
        </Button>
      </div>
      {props.campaigns.map((campaign) => (
        <section key={campaign.id} data-campaign={campaign.name} className="flex flex-col gap-2">
          <div className="flex items-center justify-between border-b" style={{ paddingBottom: "4px" }}>
            <div className="font-semibold">{campaign.name}</div>
            <div data-field="spend" className="text-sm text-muted-foreground">
              {plural(campaign.creatives, "creative")} · {campaign.spend === "free" ? "nothing spent" : `${campaign.spend} spent`}
            </div>
          </div>
          {campaign.items.length === 0 ? (
            <div className="text-sm text-muted-foreground">No creatives yet.</div>
          ) : (
            <div style={GRID}>
              {campaign.items.map((c) => (
                <Card key={c.id} c={c} busy={busy} act={act} />
              ))}
            </div>
          )}
        </section>
      ))}
    </div>
  )
}

function Badge({ status }) {
  const [words, ink, paper] = BADGES[status] || [status, "#52525b", "#f4f4f5"]
  return (
    <span data-field="review-status" style={{ color: ink, background: paper, borderRadius: "999px", padding: "1px 8px",
                                              fontSize: "12px", fontWeight: 600, whiteSpace: "nowrap" }}>
      {words}
    </span>
  )
}

// What reviewers said, oldest first: who (the typed name, the link's label), what they did in the app's words
// (`did`, from chat/library.py), where in the video, what.
function Notes({ notes }) {
  const [all, setAll] = useState(false)
  if (!notes.length) return null
  const shown = all ? notes : notes.slice(-NOTES_SHOWN)
  return (
    <div data-field="reviews" className="flex flex-col gap-1 text-xs" style={{ marginTop: "4px" }}>
      {notes.length > shown.length ? (
        <Button size="sm" variant="ghost" onClick={() => setAll(true)}>
          Show all {notes.length} comments and decisions
        </Button>
      ) : null}
      {shown.map((n) => (
        <div key={n.id} data-note-kind={n.kind} className="rounded border" style={{ padding: "4px 6px" }}>
          <div className="text-muted-foreground">
            <span className="font-semibold" style={{ color: "inherit" }}>{n.name}</span>
            {n.via ? ` (${n.via})` : ""}
            {` ${n.did}`}{n.kind === "comment" ? (n.at ? ` at ${n.at}` : " on the whole video") : ""}
            {` · ${when(n.created_at)}`}
          </div>
          {n.text ? <div data-field="note-text" title={n.text} style={all ? NOTE_TEXT : { ...NOTE_TEXT, ...CLIPPED }}>{n.text}</div> : null}
        </div>
      ))}
    </div>
  )
}

// The live review links: their address to copy, until when, and Revoke.
function Links({ links, busy, act }) {
  if (!links.length) return null
  return (
    <div data-field="review-links" className="flex flex-col gap-1 text-xs" style={{ marginTop: "4px" }}>
      {links.map((l) => {
        const full = l.url.startsWith("/") ? window.location.origin + l.url : l.url
        return (
          <div key={l.id} data-link-id={l.id} className="flex items-center gap-1">
            <span className="text-muted-foreground" style={{ flex: 1, minWidth: 0 }}>
              {l.label || "Review link"}{l.whole_set ? " (whole set)" : ""} · until{" "}
              {new Date(l.expires_at).toLocaleDateString(undefined, { day: "numeric", month: "short" })}
            </span>
            <Button size="sm" variant="ghost" aria-label="Copy review link" title={full}
                    onClick={() => navigator.clipboard.writeText(full).then(() => toast.success("Review link copied"),
                                                                           () => toast.error(full))}>
              <Copy /> Copy
            </Button>
            <Button size="sm" variant="ghost" disabled={busy} aria-label="Revoke review link"
                    onClick={() => act("library_revoke", { id: l.id })}>
              <Link2Off /> Revoke
            </Button>
          </div>
        )
      })}
    </div>
  )
}

function Card({ c, busy, act }) {
  const [mode, setMode] = useState("view") // view, rename or confirm
  const [title, setTitle] = useState(c.title)
  const [started, setStarted] = useState(false) // the poster and a play button until then, the player after
  const video = useRef(null)

  async function rename(event) {
    event.preventDefault()
    if (await act("library_rename", { id: c.id, title })) setMode("view")
  }

  return (
    <div data-creative-id={c.id} className="rounded-lg border bg-card overflow-hidden flex flex-col shadow-sm">
      <div style={SCREEN}>
        <video ref={video} src={c.url} poster={c.poster_url || undefined} controls={started} preload="none"
               playsInline onPlay={() => setStarted(true)} style={VIDEO} />
        {started ? null : (
          <button type="button" aria-label={`Play ${c.title}`} style={PLAY} onClick={() => video.current.play()}>
            <Play style={{ width: "16px", height: "16px", fill: "white" }} /> {c.duration}
          </button>
        )}
      </div>
      <div className="flex flex-col gap-1 p-3">
        {mode === "rename" ? (
          <form onSubmit={rename} className="flex items-center gap-1">
            <Input value={title} maxLength={120} autoFocus aria-label="New title" className="h-8"
                   onChange={(e) => setTitle(e.target.value)}
                   onKeyDown={(e) => e.key === "Escape" && setMode("view")} />
            <Button type="submit" size="icon" variant="ghost" disabled={busy || !title.trim()} aria-label="Save title">
              <Check />
            </Button>
            <Button type="button" size="icon" variant="ghost" aria-label="Cancel" onClick={() => setMode("view")}>
              <X />
            </Button>
          </form>
        ) : (
          <div className="flex items-start justify-between gap-2">
            <div data-field="title" className="font-semibold line-clamp-2" title={c.title}>{c.title}</div>
            <Badge status={c.review_status || "draft"} />
          </div>
        )}
        <div className="text-xs text-muted-foreground">
          {c.aspect} · {c.duration} · {c.model} · {c.cost}
        </div>
        <div className="text-xs text-muted-foreground">
          {c.made_by ? `by ${c.made_by} · ` : ""}{when(c.created_at)}
        </div>
        {c.brand ? (
          <div data-field="brand" className="text-xs text-muted-foreground" title="The brand kit it was made with">
            {c.brand}
          </div>
        ) : null}
        {c.sound ? <div data-field="sound" className="text-xs text-muted-foreground">{c.sound}</div> : null}
        {c.captions_srt_url || c.captions_vtt_url ? (
          <div data-field="captions" className="text-xs text-muted-foreground">
            Captions:{" "}
            {[["SRT", c.captions_srt_url], ["VTT", c.captions_vtt_url]].filter(([, url]) => url).map(([kind, url], i) => (
              <span key={kind}>
                {i ? " · " : ""}
                <a href={url} download style={{ textDecoration: "underline" }}>{kind}</a>
              </span>
            ))}
          </div>
        ) : null}
        {c.export ? (
          <div data-field="export" className="text-xs text-muted-foreground" title={c.export.credentials}>
            Exported for {c.export.placements}
            {c.export.zip_url ? (
              <span>
                {" · "}
                <a href={c.export.zip_url} download style={{ textDecoration: "underline" }}>zip</a>
              </span>
            ) : null}
            {c.export.credentials ? <div data-field="credentials">{c.export.credentials}</div> : null}
          </div>
        ) : null}
        <Notes notes={c.notes || []} />
        <Links links={c.links || []} busy={busy} act={act} />
        {mode === "confirm" ? (
          <div className="flex flex-col gap-2 text-sm" style={{ marginTop: "6px" }}>
            <div>Delete this video for the whole team? It cannot be undone.</div>
            <div className="flex gap-2">
              <Button size="sm" variant="destructive" disabled={busy}
                      onClick={() => act("library_delete", { id: c.id })}>
                <Trash2 /> Delete
              </Button>
              <Button size="sm" variant="outline" onClick={() => setMode("view")}>Keep</Button>
            </div>
          </div>
        ) : (
          <div className="flex flex-wrap items-center gap-1" style={{ marginTop: "6px" }}>
            <Button asChild size="sm" variant="outline">
              <a href={c.download_url} download>
                <Download /> Download
              </a>
            </Button>
            <Button size="sm" variant="ghost" disabled={busy} onClick={() => act("library_export", { id: c.id })}>
              <Package /> Export
            </Button>
            <Button size="sm" variant="ghost" disabled={busy} onClick={() => act("library_share", { id: c.id })}>
              <Send /> Share for review
            </Button>
            <Button size="sm" variant="ghost" disabled={busy} onClick={() => { setTitle(c.title); setMode("rename") }}>
              <Pencil /> Rename
            </Button>
            {c.can_delete ? (
              <Button size="sm" variant="ghost" disabled={busy} onClick={() => setMode("confirm")}>
                <Trash2 /> Delete
              </Button>
            ) : null}
          </div>
        )}
      </div>
    </div>
  )
}
