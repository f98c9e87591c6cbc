"""Balances and settle-up plans as the API shows them (money as decimal strings)."""

from __future__ import annotations

import uuid

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


class GroupPart(BaseModel):
    group_id: uuid.UUID | None = Field(description="null: expenses and payments outside any group.")
    amount: Money


class PersonBalance(BaseModel):
    user_id: int
    currency: str
    amount: Money = Field(description="Positive: they owe you. Negative: you owe them.")
    groups: list[GroupPart] = Field(description="Where it comes from; the parts add up to the amount.")


class ConvertedTotal(BaseModel):
    currency: str
    owed_to_you: Money
    you_owe: Money
    net: Money = Field(description="Converted with the stored exchange rates; an estimate across currencies.")


class BalancesOut(BaseModel):
    balances: list[PersonBalance] = Field(description="Each person you have an open balance with, per currency.")
    converted: ConvertedTotal | None = Field(default=None, description="With ?convert_to=: totals in one currency.")
