"""Object stores reached through `universal-pathlib` over `fsspec`: opening, guarantees, errors.

One table says, per store, which optional extra installs its fsspec driver and whether one upload
is all-or-nothing (the object appears only when the upload completes, so a killed writer leaves
nothing a reader can see):

- S3 (and S3-compatible stores): a PutObject, and a multipart upload until
  CompleteMultipartUpload, is invisible until it completes; an interrupted multipart upload leaves
  parts that are billed but never readable (abort them with a lifecycle rule).
- GCS: an object exists once its (resumable) upload is finalized.
- Azure Blob: a block blob exists once its block list is committed.
- anything else (local `file://`, `memory://`, ...): no such promise, so writes go to a temporary
  key that is renamed into place (`os.replace` for local files).

Secrets never reach run records or logs: a UPath's `str`/`repr` carry no storage options, and
in config a secret-looking option (`key`, `secret`, `token`, `password`, ...) must name an
environment variable (`{env: NAME}` in a spec, `EnvVar("NAME")` in Python) rather than hold
the value, because run config is recorded with each run.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, Optional

from ...errors import ConfigError, ConfigErrorEntry, ExecutionError

if TYPE_CHECKING:
    from upath import UPath


class Store(NamedTuple):
    """What specrun knows of one kind of store."""

    name: str
    extra: str  # `pip install 'specrun[<extra>]'`
    atomic_upload: bool
    credentials_hint: str


_S3 = Store("S3", "s3", True,
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or give "
            "storage_options key/secret as {env: NAME}")
_GCS = Store("GCS", "gcs", True,
             "set GOOGLE_APPLICATION_CREDENTIALS, or give storage_options token as {env: NAME}")
_AZURE = Store("Azure Blob", "azure", True,
               "set AZURE_STORAGE_CONNECTION_STRING (or AZURE_STORAGE_ACCOUNT_NAME and "
               "AZURE_STORAGE_ACCOUNT_KEY), or give storage_options as {env: NAME}")
STORES: dict[str, Store] = {
    "s3": _S3, "s3a": _S3, "gs": _GCS, "gcs": _GCS,
    "az": _AZURE, "abfs": _AZURE, "abfss": _AZURE, "adl": _AZURE,
}

_SECRET = re.compile(r"key|secret|token|password|credential|sas|connection_string|signature",
                     re.IGNORECASE)
_PUBLIC = {"endpoint_url", "region_name", "account_name", "project", "anon", "use_ssl",
           "client_kwargs", "config_kwargs", "requester_pays", "default_block_size"}


class ObjectStoreError(ExecutionError):
    """The object store refused or could not carry out a read or write."""


def is_url(base_dir: Optional[str]) -> bool:
    """Whether `base_dir` names a store by URL (`s3://...`), not a local folder."""
    return bool(base_dir) and re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://", base_dir) is not None


def store_of(protocol: str) -> Optional[Store]:
    return STORES.get(protocol)


def open_store(url: str, storage_options: Optional[Mapping[str, Any]] = None) -> "UPath":
    """The UPath of `url`, its fsspec driver loaded, or an error naming the extra to install."""
    protocol = url.split("://", 1)[0].lower()
    extra = store_of(protocol).extra if store_of(protocol) else "s3"
    try:
        import fsspec
        from upath import UPath
    except ImportError:
        raise ObjectStoreError(f"{url} is an object-store URL, which needs universal-pathlib: "
                               f"pip install 'specrun[{extra}]'") from None
    try:
        fsspec.get_filesystem_class(protocol)
    except ImportError as e:
        raise ObjectStoreError(f"{url}: the {protocol}:// driver is not installed ({e}): "
                               f"pip install 'specrun[{extra}]'") from None
    except ValueError:
        raise ObjectStoreError(f"{url}: fsspec knows no {protocol}:// store") from None
    options = dict(storage_options or {})
    if store_of(protocol) is not None:
        # Another worker may write a key after this process listed its prefix: never answer
        # "missing" from a cached listing.
        options.setdefault("use_listings_cache", False)
    return UPath(url, **options)


def storage_options_from_config(options: Optional[Mapping[str, Any]],
                                 path: tuple[str, ...] = ("storage_options",)) -> dict[str, Any]:
    """Config `storage_options` with `{env: NAME}`/`EnvVar` (also nested, as in
    `client_kwargs`) read from the environment.

    A secret-looking option given as a literal is refused: run config is recorded with the run.
    """
    refused = [ConfigErrorEntry(
        f"storage option {'.'.join(key)!r} looks like a secret: give it as {{env: NAME}} (an "
        "environment variable) so that it is not recorded with the run", path + key)
        for key in literal_secrets(options or {})]
    if refused:
        raise ConfigError(refused, "IO manager config")
    from ..env_var import resolve_env_vars

    return resolve_env_vars(_as_env_vars(options or {}), path)


def _as_env_vars(options: Mapping[str, Any]) -> dict[str, Any]:
    """`options` with each spec-style ``{env: NAME}`` (also nested) as an `EnvVar`."""
    from ..env_var import EnvVar

    return {key: EnvVar(value["env"]) if isinstance(value, Mapping) and set(value) == {"env"}
            else _as_env_vars(value) if isinstance(value, Mapping) else value
            for key, value in options.items()}


def literal_secrets(options: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """Options (as key paths: nested ones too) that look like secrets but hold a literal value,
    not an environment reference."""
    from ..env_var import EnvVar

    found: list[tuple[str, ...]] = []
    for key, value in options.items():
        if isinstance(value, Mapping) and set(value) != {"env"}:
            found += [(key,) + inner for inner in literal_secrets(value)]
        elif (key not in _PUBLIC and _SECRET.search(key) and isinstance(value, str)
              and not isinstance(value, EnvVar)):
            found.append((key,))
    return found


def explain(error: BaseException, action: str, path: "UPath") -> Optional[ObjectStoreError]:
    """A clear error for a store's refusal (credentials, missing bucket), or None."""
    store = store_of(path.protocol)
    where = _endpoint(path)
    cause = _cause(error)
    if isinstance(error, PermissionError):
        hint = store.credentials_hint if store else "check the storage_options credentials"
        return ObjectStoreError(
            f"cannot {action} {path}{where}: the store refused the credentials ({cause}); {hint}")
    if isinstance(error, FileNotFoundError) and not _bucket_exists(path):
        return ObjectStoreError(
            f"cannot {action} {path}{where}: the bucket {_bucket(path)!r} does not exist; "
            "create it, or fix base_dir")
    if _is_no_credentials(error):
        hint = store.credentials_hint if store else "give credentials in storage_options"
        return ObjectStoreError(f"cannot {action} {path}{where}: no credentials found; {hint}")
    return None


def _cause(error: BaseException) -> str:
    inner = error.__cause__ or error.__context__
    details = getattr(inner, "response", None)  # a botocore ClientError: its code and message
    if isinstance(details, dict) and isinstance(details.get("Error"), dict):
        code, message = details["Error"].get("Code"), details["Error"].get("Message")
        if code and message:
            return f"{code}: {message}"
    return str(inner or error) or type(error).__name__


def _endpoint(path: "UPath") -> str:
    endpoint = path.storage_options.get("endpoint_url")
    if not endpoint and path.protocol in ("s3", "s3a"):
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return f" (endpoint {endpoint})" if endpoint else ""


def _bucket(path: "UPath") -> str:
    return path.path.split("/", 1)[0]


def _bucket_exists(path: "UPath") -> bool:
    try:
        return bool(path.fs.exists(_bucket(path)))
    except (OSError, ValueError):
        return False


def _is_no_credentials(error: BaseException) -> bool:
    names = {type(e).__name__ for e in (error, error.__cause__, error.__context__) if e is not None}
    return bool(names & {"NoCredentialsError", "PartialCredentialsError"})
