"""What a failed sync means to a business owner, in the help page's words.

`sync.failed` carries an `error_class`; the help page's "Troubleshooting Connection Issues"
section says what to do. This is presentation, kept beside the pages that show it.
"""
from __future__ import annotations

from dataclasses import dataclass

from clientsynq.portal.domain.model import FailedSync, SyncState


@dataclass(frozen=True)
class FailureAdvice:
    title: str
    reason: str
    cause: str
    steps: tuple[str, ...]


CONNECTION_FAILED_STEPS = ("Wait 5 minutes", "Try connecting again",
                           "Make sure you have QuickBooks admin access",
                           "Check your internet connection")
_ADVICE = {
    "qbo_unavailable": ("Connection Failed", "QuickBooks is unavailable right now.",
                        "Usually a temporary QuickBooks API issue or network timeout",
                        CONNECTION_FAILED_STEPS),
    "throttled": ("Connection Failed", "QuickBooks is limiting how fast we may read (rate "
                  "limited); the sync resumes where it stopped.",
                  "Too many requests to QuickBooks in a short time",
                  ("Wait 5 minutes", "Click Sync Now to manually trigger a sync",
                   "Avoid bulk changes in QuickBooks while a sync runs")),
    "authorization_expired": ("Authorization Expired", "QuickBooks needs you to authorize "
                              "ClientSynq again.", "QuickBooks requires periodic "
                              "re-authorization (every 6 months for security)",
                              ("Click Reconnect in Settings → QuickBooks",
                               "Log in to QuickBooks again", "Re-authorize access",
                               "That's it! No data is lost.")),
    "disconnected": ("QuickBooks is disconnected", "The sync stopped because QuickBooks was "
                     "disconnected.", "The connection was disconnected from ClientSynq or "
                     "from QuickBooks", ("Click Connect to QuickBooks in Settings → QuickBooks",
                                         "Existing data in ClientSynq remains")),
}


def advice_for(failure: FailedSync) -> FailureAdvice:
    title, reason, cause, steps = _ADVICE.get(failure.error_class, (
        "Connection Failed", "The sync stopped unexpectedly.",
        "Usually a temporary QuickBooks API issue or network timeout", CONNECTION_FAILED_STEPS))
    return FailureAdvice(title, reason, cause, steps)


def current_failure(state: SyncState) -> FailureAdvice | None:
    """A failure counts only until a later sync completes."""
    failed, done = state.last_failure, state.last_completed
    if failed is None or (done is not None and done.finished_at >= failed.failed_at):
        return None
    return advice_for(failed)
