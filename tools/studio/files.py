"""`studio.files`: reference images (checked, stored, granted to the team), the chat history's own files, and links
to stored files. A link is its own permission (as S3's presigned URLs are), so the calls that read one take no
actor; the history's files are kept by Chainlit's data layer, which holds no actor either."""

from __future__ import annotations

from pathlib import Path

from campaign.errors import ClapboardError, Forbidden, NotFound
from campaign.people import Actor
from campaign.settings import Settings
from campaign.storage import BlobStorage, UrlSigner, content_disposition, safe_key
from campaign.store import Store
from tools.references import Reference, ReferenceIntake

CHAT_FILES = "chat/"  # the history's own files: element content that is neither a video nor an attachment


class Files:
    """Stored files: reference images, the history's files, links."""

    def __init__(self, settings: Settings, store: Store, storage: BlobStorage, intake: ReferenceIntake) -> None:
        self.store = store
        self.storage = storage
        self.intake = intake
        self.reference_max_bytes = settings.reference_max_bytes  # the largest reference image taken
        self.link_lifetime_s = settings.url_expiry_s  # how long a link to a stored file works

    async def add_reference(
        self, actor: Actor, *, data: bytes | None = None, path: Path | None = None, name: str = ""
    ) -> Reference:
        """Check and store a reference image from an upload's bytes or a file (a chat attachment); its key is
        the team's to pass in `references`."""
        if data is not None:
            reference = await self.intake.from_bytes(data, name)
        else:
            reference = await self.intake.from_path(path or Path(), name=name or None)
        await self.store.grant_reference(actor.team_id, reference.key)
        return reference

    async def history_attachment(self, path: Path, name: str) -> str | None:
        """A chat attachment as the history keeps it: the key of the reference image it becomes, or None when it
        is not an image we accept (the message that carried it is answered with why)."""
        try:
            return (await self.intake.from_path(path, name=name)).key
        except ClapboardError:
            return None

    async def save_chat_file(self, key: str, data: bytes, content_type: str) -> str:
        """Keep a file of the chat's history under `chat/` (what an element carries that is neither one of our
        videos nor an attachment); returns its storage key."""
        stored = f"{CHAT_FILES}{safe_key(key)}"
        await self.storage.put(stored, data, content_type)
        return stored

    def file_url(self, key: str) -> str:
        """A fresh link to a stored file (a history element: an attachment or a creative's video)."""
        return self.storage.url(safe_key(key))

    async def delete_chat_file(self, key: str) -> bool:
        """Delete a history file; a creative's files are the library's and stay (False)."""
        if not key.startswith(CHAT_FILES):
            return False
        await self.storage.delete(safe_key(key))
        return True

    def signed_file(self, key: str, exp: str, sig: str, download: str = "") -> tuple[Path, str | None]:
        """The local file behind a signed, unexpired link (the link is the permission, as with S3's presigned
        URLs), and the Content-Disposition of a download link; Forbidden for a bad or expired signature (the
        download name is signed too), NotFound for a missing file."""
        signer: UrlSigner | None = getattr(self.storage, "signer", None)
        if signer is None or not signer.verify(key, exp, sig, download):
            raise Forbidden("This link is invalid or has expired.")
        path = self.storage.local_path(safe_key(key))
        if path is None:
            raise NotFound("That file does not exist.")
        return path, content_disposition(download) if download else None
