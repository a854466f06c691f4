"""Conversations that last: Chainlit's SQLAlchemy data layer on our database (its tables come with our
migrations), with the files it keeps in our storage.

A creative's video in the history is a pointer to the creative's own file (its storage key), signed afresh each
time the conversation is opened; it is never copied, and deleting a conversation leaves the library alone. An
attachment is kept as the reference image it becomes (checked like any reference: a file that is not an image
we accept is not kept at all). Anything else an element carries is kept under `chat/`.

A conversation is named after its first message. Chainlit names it after the button's action name when a button
is clicked first ("cancel_job"); such a conversation stays unnamed until its first typed message names it.

A conversation is its author's alone: another person's answers like one that does not exist (the same 404 on
every route that takes its id), so nobody can tell whether an id exists.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import chainlit as cl
from chainlit.config import config
from chainlit.data.acl import is_thread_author
from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
from chainlit.data.storage_clients.base import BaseStorageClient
from chainlit.element import Element
from chainlit.types import ThreadDict
from fastapi import HTTPException

from chat.runtime import current_studio
from tools.studio import Studio


class HistoryFiles(BaseStorageClient):
    """Chainlit's storage client, on our storage through the facade."""

    def __init__(self, studio: Studio) -> None:
        self.studio = studio

    async def upload_file(
        self,
        object_key: str,
        data: bytes | str,
        mime: str = "application/octet-stream",
        overwrite: bool = True,
        content_disposition: str | None = None,
    ) -> dict[str, Any]:
        body = data.encode() if isinstance(data, str) else data
        key = await self.studio.files.save_chat_file(_safe(object_key), body, mime)
        return {"object_key": key, "url": self.studio.files.file_url(key)}

    async def delete_file(self, object_key: str) -> bool:
        return await self.studio.files.delete_chat_file(object_key)

    async def get_read_url(self, object_key: str) -> str:
        return self.studio.files.file_url(object_key)

    async def close(self) -> None:
        """Nothing to close: the storage belongs to the studio."""


class History(SQLAlchemyDataLayer):
    """Chainlit's data layer, with elements that point at a stored file kept as pointers: our videos
    (`object_key` set) and attachments (stored as references)."""

    def __init__(self, studio: Studio) -> None:
        super().__init__(conninfo=studio.settings.sqlalchemy_url, storage_provider=HistoryFiles(studio))
        self.studio = studio

    async def update_thread(
        self,
        thread_id: str,
        name: str | None = None,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
    ) -> None:
        if name in config.code.action_callbacks:  # a button clicked first: its action's name is no title
            name = None
        await super().update_thread(thread_id, name=name, user_id=user_id, metadata=metadata, tags=tags)

    async def create_step(self, step_dict: Any) -> None:
        await super().create_step(step_dict)
        if step_dict.get("type") == "user_message" and str(step_dict.get("output") or "").strip():
            await self.execute_sql(  # the first typed message of a conversation a button started names it
                query='UPDATE threads SET "name" = :name WHERE "id" = :id AND "name" IS NULL',
                parameters={"name": step_dict["output"].strip(), "id": step_dict["threadId"]},
            )

    async def get_thread_author(self, thread_id: str) -> str:
        """The author's identifier, or "" for a conversation that does not exist (Chainlit's raises: a 500)."""
        try:
            return await super().get_thread_author(thread_id)
        except ValueError:
            return ""

    async def get_all_user_threads(
        self, user_id: str | None = None, thread_id: str | None = None
    ) -> list[ThreadDict] | None:
        """Chainlit's, with each custom element's props as the object they were sent as: they are kept as JSON text,
        which Chainlit hands back as it is, and an element given a string for its props cannot render."""
        threads = await super().get_all_user_threads(user_id=user_id, thread_id=thread_id)
        for thread in threads or []:
            for element in thread.get("elements") or []:
                if isinstance(props := element.get("props"), str):
                    element["props"] = _object(props)
        return threads

    async def create_element(self, element: Element) -> None:
        key = getattr(element, "object_key", None)
        if not key and element.path and element.for_id:
            key = await self.studio.files.history_attachment(Path(element.path), element.name)
            if key is None:
                return  # refused (the chat says why): nothing of it is kept
        if not key or not element.for_id:
            await super().create_element(element)
            return
        row = {**element.to_dict(), "url": None, "objectKey": key}
        row = {k: v for k, v in row.items() if v is not None}
        for column in ("props", "playerConfig"):
            if column in row:
                row[column] = json.dumps(row[column])
        columns = ", ".join(f'"{c}"' for c in row)
        values = ", ".join(f":{c}" for c in row)
        updates = ", ".join(f'"{c}" = :{c}' for c in row if c != "id")
        query = f"INSERT INTO elements ({columns}) VALUES ({values}) ON CONFLICT (id) DO UPDATE SET {updates};"
        await self.execute_sql(query=query, parameters=row)


async def only_the_author(username: str, thread_id: str) -> bool:
    """Chainlit's check on its conversation routes, with another person's conversation a 404 like an unknown one
    (Chainlit answers 401, which says the id exists); chat/server.py puts it in place of Chainlit's."""
    try:
        return await is_thread_author(username, thread_id)
    except HTTPException as exc:
        if exc.status_code == 401:
            raise HTTPException(status_code=404, detail="Thread not found") from None
        raise


def _object(text: str) -> dict[str, Any]:
    """Props kept as JSON text, read back; {} for text that is not an object (a row written by hand)."""
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _safe(object_key: str) -> str:
    """Chainlit's `<user>/<element>/<file name>` as a storage key: no empty, dot or odd parts."""
    parts = [re.sub(r"[^\w.-]+", "_", p).strip(".") or "_" for p in object_key.split("/") if p]
    return "/".join(parts) or "file"


@cl.data_layer  # type: ignore[arg-type]  # None when nobody came: Chainlit keeps no history then
def history() -> History | None:
    """Chainlit asks once, after start-up (or at shutdown, when nobody came: then there is nothing to keep)."""
    studio = current_studio()
    return History(studio) if studio is not None else None
