"""What the command line names before it opens a studio: a job's status and the facade's errors, in a module of their
own so that such a command (`clapboard models`, `clapboard jobs --status`) loads no database code."""

from campaign.errors import ClapboardError
from campaign.status import ACTIVE, JobStatus

__all__ = ["ACTIVE", "ClapboardError", "JobStatus"]
