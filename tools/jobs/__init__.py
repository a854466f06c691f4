"""The job pipeline, any backend: request models (`spec`), submission (`submit`), the job body (`body`), the
backends that run it (`backends`), and the event bus (`events`). Front ends reach it through `tools.studio`."""

from tools.jobs.events import JobEvent
from tools.jobs.spec import JobSpec, Submitted, VideoRequest

__all__ = ["JobEvent", "JobSpec", "Submitted", "VideoRequest"]
