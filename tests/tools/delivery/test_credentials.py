"""Content credentials as a viewer would read them: real MP4s signed with c2pa, read back and checked against their
bytes; a file changed after signing, one never signed, the local certificate and an operator's own."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import av
import c2pa
import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pydantic import ValidationError

from campaign.errors import InvalidRequest, SigningFailed
from campaign.models import Creative
from campaign.settings import Settings
from tests.conftest import make_settings
from tools.delivery.certificate import CHAIN, KEY, LOCAL_FOLDER, LOCAL_SIGNER, credential
from tools.delivery.credentials import COMPOSITE_TRAINED, DRAWN, Provenance, sign, verify
from tools.engines.draft.engine import encoder_stream, open_output
from tools.engines.registry import build_catalog
from tools.jobs.exporting import provenance_of
from tools.media import probe

FPS = 24
FINISHED_VEO = Provenance(
    title="Spring teaser",
    creative_id="cr_123",
    model_id="veo-3.1",
    model_name="Veo 3.1",
    hosted=True,
    finished=True,
    source_type=COMPOSITE_TRAINED,
    actions=["c2pa.created", "c2pa.placed", "c2pa.edited", "c2pa.resized", "c2pa.transcoded"],
    ingredient="veo-3.1 footage p_abc.mp4",
    disclosure={"youtube.containsSyntheticMedia": True, "tiktok.aigc": True},
)
DRAFT = Provenance(
    title="Lamp draft",
    creative_id="cr_456",
    model_id="draft",
    model_name="Clapboard Draft",
    hosted=False,
    finished=False,
    source_type=DRAWN,
    actions=["c2pa.created", "c2pa.transcoded"],
)


def mp4(path: Path, seconds: float = 1.0, width: int = 96, height: int = 160) -> Path:
    """A faststart H.264 MP4 written as the draft engine writes its videos, a shade lighter each frame."""
    with open_output(path) as out:
        stream = encoder_stream(out, width, height, FPS)
        for i in range(round(seconds * FPS)):
            pixels = np.full((height, width, 3), (i * 7) % 256, np.uint8)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        out.mux(stream.encode())
    return path


def pictures(path: Path) -> np.ndarray:
    """Every decoded frame of the video, stacked."""
    with av.open(str(path)) as video:
        return np.stack([frame.to_ndarray(format="rgb24") for frame in video.decode(video=0)])


def top_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types, in file order."""
    data, at, boxes = path.read_bytes(), 0, []
    while at < len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        size = int.from_bytes(data[at + 8 : at + 16], "big") if size == 1 else size
        boxes.append(data[at + 4 : at + 8].decode("latin-1"))
        at += size or len(data)
    return boxes


@pytest.mark.render  # decodes the signed file's every frame
def test_finished_model_footage_is_signed_and_still_plays_from_the_start(tmp_path: Path) -> None:
    src, footage = mp4(tmp_path / "ad.mp4"), mp4(tmp_path / "footage.mp4")
    dest = tmp_path / "ad-signed.mp4"
    sign(src, dest, FINISHED_VEO, make_settings(tmp_path / "data"), ingredient=footage)

    checked = verify(dest)
    assert (checked.valid, checked.trusted, checked.problems) == (True, False, [])
    assert checked.signer.startswith(LOCAL_SIGNER)
    assert (checked.model, checked.source_type, checked.title) == ("Veo 3.1", COMPOSITE_TRAINED, "Spring teaser")
    assert checked.actions == FINISHED_VEO.actions
    assert checked.ingredients == ["veo-3.1 footage p_abc.mp4"]
    assert checked.disclosure == {"youtube.containsSyntheticMedia": True, "tiktok.aigc": True}
    boxes = top_boxes(dest)
    assert "uuid" in boxes and boxes.index("moov") < boxes.index("mdat")  # the index still comes first
    assert probe(dest, count_frames=True).frames == FPS
    assert np.array_equal(pictures(dest), pictures(src))  # the chunk offsets moved with the media


def test_a_draft_says_no_generative_model_made_it(tmp_path: Path) -> None:
    dest = tmp_path / "signed.mp4"
    sign(mp4(tmp_path / "draft.mp4"), dest, DRAFT, make_settings(tmp_path / "data"))
    checked = verify(dest)
    assert (checked.valid, checked.model, checked.source_type) == (True, "Clapboard Draft", DRAWN)
    assert (checked.actions, checked.ingredients, checked.disclosure) == (["c2pa.created", "c2pa.transcoded"], [], {})


def test_a_file_changed_after_signing_is_not_valid(tmp_path: Path) -> None:
    dest = tmp_path / "signed.mp4"
    sign(mp4(tmp_path / "draft.mp4"), dest, DRAFT, make_settings(tmp_path / "data"))
    signed = dest.read_bytes()
    data = bytearray(signed)
    data[-40:-30] = bytes(b ^ 0xFF for b in data[-40:-30])  # inside mdat, the last box
    dest.write_bytes(bytes(data))
    checked = verify(dest)
    assert not checked.valid and not checked.trusted
    assert any(p.startswith("assertion.bmffHash.mismatch") for p in checked.problems), checked.problems

    data = bytearray(signed)
    at = signed.index(b"uuid") - 4  # the manifest's box, after ftyp
    data[at + int.from_bytes(signed[at : at + 4], "big") - 20] ^= 0xFF  # in the claim's signature, its last box
    dest.write_bytes(bytes(data))
    checked = verify(dest)
    assert not checked.valid and any(p.startswith("claimSignature.mismatch") for p in checked.problems)


def test_a_file_without_credentials_is_refused_saying_so(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="plain.mp4 carries no content credentials"):
        verify(mp4(tmp_path / "plain.mp4"))
    (tmp_path / "notes.txt").write_text("not a video")
    with pytest.raises(InvalidRequest, match="not a kind of file"):
        verify(tmp_path / "notes.txt")
    with pytest.raises(InvalidRequest, match="could not be read"):
        verify(tmp_path / "missing.mp4")


def test_the_local_certificate_is_made_once_private_and_reused(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    folder = settings.data_dir / LOCAL_FOLDER
    made: list[bytes] = []
    start = threading.Barrier(4)

    def first_use() -> None:
        start.wait()
        made.append(credential(settings).chain)

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 1 and made[0] == (folder / CHAIN).read_bytes()  # four processes agree on one
    assert sorted(p.name for p in settings.data_dir.iterdir()) == [LOCAL_FOLDER]  # no half-made folder left
    assert (folder / KEY).stat().st_mode & 0o777 == 0o600 and folder.stat().st_mode & 0o777 == 0o700
    assert "PRIVATE KEY" not in repr(credential(settings))

    key_before = (folder / KEY).stat()
    for name in ("one", "two"):
        sign(mp4(tmp_path / f"{name}.mp4"), tmp_path / f"{name}-signed.mp4", DRAFT, settings)
    assert (folder / KEY).stat().st_mtime_ns == key_before.st_mtime_ns and (folder / CHAIN).read_bytes() == made[0]
    assert verify(tmp_path / "one-signed.mp4").signer == verify(tmp_path / "two-signed.mp4").signer


def operator_pair(folder: Path) -> tuple[Path, Path, Path]:
    """An operator's CA, and a signing certificate it issued to "Acme Studio": chain, key and root files."""
    now = dt.datetime.now(dt.UTC)

    def issued(subject: str, issuer: str, key: ec.EllipticCurvePrivateKey, signer: ec.EllipticCurvePrivateKey,
               ca: bool) -> x509.Certificate:  # fmt: skip
        usage = dict(content_commitment=False, key_encipherment=False, data_encipherment=False, key_agreement=False,
                     encipher_only=False, decipher_only=False)  # fmt: skip
        built = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COMMON_NAME, subject),
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme Studio"),
                    ]
                )
            )  # fmt: skip
            .issuer_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COMMON_NAME, issuer),
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme Studio"),
                    ]
                )
            )  # fmt: skip
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=not ca, key_cert_sign=ca, crl_sign=ca, **usage), True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        )
        if not ca:
            built = built.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            ).add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False)
        return built.sign(signer, hashes.SHA256())

    root_key, key = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP384R1())
    root = issued("Acme Root CA", "Acme Root CA", root_key, root_key, ca=True)
    leaf = issued("Acme Studio signer", "Acme Root CA", key, root_key, ca=False)
    pem = serialization.Encoding.PEM
    chain, key_file, anchors = folder / "acme-chain.pem", folder / "acme.key", folder / "acme-root.pem"
    chain.write_bytes(leaf.public_bytes(pem) + root.public_bytes(pem))
    key_file.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    anchors.write_bytes(root.public_bytes(pem))
    return chain, key_file, anchors


def test_the_operators_certificate_signs_and_its_root_makes_it_trusted(tmp_path: Path) -> None:
    chain, key, anchors = operator_pair(tmp_path)
    settings = make_settings(tmp_path / "data", c2pa_cert=chain, c2pa_key=key)
    dest = tmp_path / "signed.mp4"
    sign(mp4(tmp_path / "ad.mp4"), dest, DRAFT, settings)
    assert not (settings.data_dir / LOCAL_FOLDER).exists()  # no local certificate is made

    checked = verify(dest)
    assert (checked.valid, checked.trusted, checked.signer) == (True, False, "Acme Studio signer (Acme Studio)")
    assert verify(dest, trust_anchors=anchors).trusted  # a viewer that trusts Acme's root
    local = tmp_path / "local.mp4"
    sign(mp4(tmp_path / "other.mp4"), local, DRAFT, make_settings(tmp_path / "data"))
    assert verify(local, trust_anchors=anchors).valid and not verify(local, trust_anchors=anchors).trusted


def test_a_bad_certificate_or_a_lone_one_is_refused(tmp_path: Path) -> None:
    chain, key, _ = operator_pair(tmp_path)
    with pytest.raises(ValidationError, match="go together"):
        Settings(_env_file=None, data_dir=tmp_path, c2pa_cert=chain)
    key.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    dest = tmp_path / "signed.mp4"
    with pytest.raises(SigningFailed, match="could not be read"):
        sign(mp4(tmp_path / "ad.mp4"), dest, DRAFT, make_settings(tmp_path / "data", c2pa_cert=chain, c2pa_key=key))
    assert not dest.exists()


def test_a_key_that_is_not_the_certificates_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    chain, _, _ = operator_pair(tmp_path)
    _, other_key, _ = operator_pair(tmp_path / "other")
    dest = tmp_path / "signed.mp4"
    settings = make_settings(tmp_path / "data", c2pa_cert=chain, c2pa_key=other_key)
    with pytest.raises(SigningFailed, match="could not be signed into signed.mp4"):
        sign(mp4(tmp_path / "ad.mp4"), dest, DRAFT, settings)
    assert not dest.exists()


def test_a_timestamp_authority_that_cannot_be_reached_fails_the_signing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", c2pa_timestamp_url="http://127.0.0.1:9/timestamp")
    with pytest.raises(SigningFailed):
        sign(mp4(tmp_path / "ad.mp4"), tmp_path / "signed.mp4", DRAFT, settings)
    assert not (tmp_path / "signed.mp4").exists()


def test_placing_the_models_footage_needs_its_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="c2pa.placed"):
        sign(mp4(tmp_path / "ad.mp4"), tmp_path / "signed.mp4", FINISHED_VEO, make_settings(tmp_path / "data"))


def test_the_manifest_an_export_writes_links_the_models_footage_by_a_placed_action(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    made = provenance_of(Creative(id="cr_1", title="Spring teaser"), build_catalog(settings).get("veo-3.1"))
    dest = tmp_path / "signed.mp4"
    sign(mp4(tmp_path / "ad.mp4"), dest, made, settings, ingredient=mp4(tmp_path / "footage.mp4"))
    checked = verify(dest)
    assert checked.valid and checked.ingredients == [made.ingredient]
    assert checked.actions[:2] == ["c2pa.created", "c2pa.placed"] and checked.actions.count("c2pa.placed") == 1
    with dest.open("rb") as fh, c2pa.Reader("video/mp4", fh) as reader:
        store = json.loads(reader.json())
    manifest = store["manifests"][store["active_manifest"]]
    actions = next(a["data"]["actions"] for a in manifest["assertions"] if a["label"].startswith("c2pa.actions"))
    placed = next(a for a in actions if a["action"] == "c2pa.placed")
    assert placed["parameters"].get("ingredients"), f"the action names the ingredient: {placed}"
