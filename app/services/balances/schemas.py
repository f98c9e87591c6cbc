"""Balances and settle-up plans as the API shows them (money as decimal strings)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.schemas import Money


class MemberBalance(BaseModel):
    user_id: int
    balance: Money = Field(description="Positive: the group owes them. Negative: they owe the group.")


class CurrencyBalancesOut(BaseModel):
    currency: str
    balances: list[MemberBalance] = Field(description="Members whose balance is not zero.")


class TransferOut(BaseModel):
    from_user_id: int
    to_user_id: int
    amount: Money
    currency: str


class SettleUpOut(BaseModel):
    transfers: list[TransferOut] = Field(description="The fewest payments that bring every balance to zero.")
