"""Whether the open folder may be written, and every reason it may not (shared by its parts)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .manifest import IntegrityProblem


@dataclass
class FolderAccess:
    """Read-only because another process holds the lock, because it was asked, or because a
    file is not what the manifest recorded (until a person restores it or confirms Repair)."""

    lock_reason: str = ""
    problems: list[IntegrityProblem] = field(default_factory=list)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def read_only(self) -> bool:
        return bool(self.lock_reason or self.problems)

    @property
    def reason(self) -> str:
        if self.lock_reason:
            return self.lock_reason
        if not self.problems:
            return ""
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return (f"{first}{more}. Nothing can be saved until the file is restored from a backup "
                "or a person confirms File ▸ Repair data folder")

    def add(self, problem: IntegrityProblem) -> None:
        with self._guard:
            if problem not in self.problems:
                self.problems.append(problem)
