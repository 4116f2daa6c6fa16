"""What a check found: each finding holds (✓), does not (✗), or is a note (·)."""

from dataclasses import dataclass, field


@dataclass
class Finding:
    holds: bool | None  # True ✓, False ✗, None a note
    code: str
    params: dict = field(default_factory=dict)


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def ok(self, code: str, **params) -> None:
        self.findings.append(Finding(True, code, params))

    def fail(self, code: str, **params) -> None:
        self.findings.append(Finding(False, code, params))

    def note(self, code: str, **params) -> None:
        self.findings.append(Finding(None, code, params))

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.holds is False]

    @property
    def holds(self) -> bool:
        return not self.failures

    def codes(self) -> list[str]:
        return [f.code for f in self.failures]
