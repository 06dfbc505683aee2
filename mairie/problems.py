"""A problem found in the data before it leaves (an export) or is taken in (an online request),
in the agent's words: every format and check reports with this one type."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    recense_id: int | None  # None: a voter, the collectivité's settings or the data as a whole
    who: str  # whom or what it concerns, as the agents name it
    field: str  # the format's name of the field (layout field, list column); may be empty
    message: str
    electeur_id: int | None = None  # a voter's problem, in the list files

    def __str__(self) -> str:
        return f"{self.who} — {self.label} : {self.message}"

    @property
    def label(self) -> str:
        """The field as the agents name it; a format whose names differ says so (PecotoProblem)."""
        return self.field

    @property
    def form_field(self) -> str:
        """Where the value is typed (registrant form, collectivité settings); may be empty."""
        return ""

    @property
    def needs_numbering(self) -> bool:
        """Fixed by numbering the quarter, not registrant by registrant."""
        return False
