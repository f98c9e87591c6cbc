"""The signed-in user's own account, profile and preferences, and how others see them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, bindparam, func, literal, not_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, NotFound, Unprocessable
from app.models import Account, Group, GroupMembership, User, UserFriendship, UserPreferences, UserProfile
from app.models.enums import FriendshipStatus, ProfileVisibility
from app.services.friends.relations import are_friends, between, blocked_between, pair_row, view_of
from app.services.users.accounts import check_currency, check_timezone, ensure_available
from app.services.users.cards import avatar_url, card
from app.services.users.schemas import (
    MeOut,
    MePatch,
    MyProfileOut,
    PreferencesOut,
    PreferencesPatch,
    ProfileOut,
    PublicProfileOut,
    UserCard,
)

SEARCH_LIMIT = 20


_PROFILE_AND_PREFERENCES = (
    select(UserProfile, UserPreferences)
    .select_from(User)
    .outerjoin(UserProfile, UserProfile.user_id == User.id)
    .outerjoin(UserPreferences, UserPreferences.user_id == User.id)
    .where(User.id == bindparam("user_id"))
)


async def profile_and_preferences(session: AsyncSession, user_id: int) -> tuple[UserProfile, UserPreferences]:
    """The user's profile and preferences rows, created on first use."""
    row = (await session.execute(_PROFILE_AND_PREFERENCES, {"user_id": user_id})).one()
    profile, preferences = row
    if profile is None:
        profile = UserProfile(user_id=user_id)
        session.add(profile)
    if preferences is None:
        preferences = UserPreferences(user_id=user_id)
        session.add(preferences)
    if profile.id is None or preferences.id is None:
        await session.flush()
        await session.refresh(profile)
        await session.refresh(preferences)
    return profile, preferences


async def me(session: AsyncSession, user: User) -> MeOut:
    profile, preferences = await profile_and_preferences(session, user.id)
    return MeOut(
        id=user.id,
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        phone_number=user.phone_number,
        bio=user.bio,
        date_of_birth=user.date_of_birth,
        avatar_url=avatar_url(user),
        preferred_currency=user.preferred_currency,
        timezone=user.timezone,
        role=user.role,
        is_verified=user.is_verified,
        is_premium=user.is_premium,
        profile_visibility=user.profile_visibility,
        date_joined=user.date_joined,
        last_login=user.last_login,
        profile=MyProfileOut.model_validate(profile),
        preferences=PreferencesOut.model_validate(preferences),
    )


async def update_me(session: AsyncSession, user: User, patch: MePatch) -> MeOut:
    changes = patch.model_dump(exclude_unset=True, exclude={"profile"})
    if changes.get("username") and changes["username"].lower() != user.username.lower():
        await ensure_available(session, username=changes["username"])
    for required in ("username", "preferred_currency", "timezone", "profile_visibility"):
        if required in changes and changes[required] is None:
            raise Unprocessable(f"{required} cannot be empty.", field=required)
    if "timezone" in changes:  # "" too: every date the user sees is worked out in this zone
        check_timezone(changes["timezone"])
    if changes.get("date_of_birth") and changes["date_of_birth"] >= date.today():
        raise Unprocessable("The date of birth must be in the past.", field="date_of_birth")
    if "preferred_currency" in changes:
        changes["preferred_currency"] = await check_currency(session, changes["preferred_currency"])
    for name, value in changes.items():
        setattr(user, name, value)
    if patch.profile is not None:
        profile, _ = await profile_and_preferences(session, user.id)
        for name, value in patch.profile.model_dump(exclude_unset=True, mode="json").items():
            setattr(profile, name, value if value is not None or name != "social_links" else {})
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("This username was just taken; choose another.", field="username") from None
    return await me(session, user)


async def update_preferences(session: AsyncSession, user: User, patch: PreferencesPatch) -> PreferencesOut:
    _, preferences = await profile_and_preferences(session, user.id)
    changes = patch.model_dump(exclude_unset=True)
    for name in ("sidebar_collapsed", "quick_add_mode", "default_chat_parser", "locale", "date_format", "theme"):
        if name in changes and changes[name] is None:
            raise Unprocessable(f"{name} cannot be empty.", field=name)
    if changes.get("default_group_id") is not None:
        member = await session.scalar(
            select(GroupMembership.id).where(
                GroupMembership.group_id == changes["default_group_id"],
                GroupMembership.user_id == user.id,
                GroupMembership.is_active,
            )
        )
        if member is None or await session.get(Group, changes["default_group_id"]) is None:
            raise Unprocessable("The default group must be a group you belong to.", field="default_group_id")
    if changes.get("default_account_id") is not None:
        owned = await session.scalar(
            select(Account.id).where(Account.id == changes["default_account_id"], Account.user_id == user.id)
        )
        if owned is None:
            raise Unprocessable("The default account must be one of your accounts.", field="default_account_id")
    for name, value in changes.items():
        setattr(preferences, name, value)
    await session.flush()
    return PreferencesOut.model_validate(preferences)


async def visible_user(session: AsyncSession, viewer: User, user_id: int) -> PublicProfileOut:
    """Another person's page, as far as their visibility setting and your relationship allow; else 404."""
    target = await session.get(User, user_id)
    if target is None:
        raise NotFound("No such user.")
    view = view_of(viewer.id, target, await pair_row(session, viewer.id, target.id))
    if not view.card:
        raise NotFound("No such user.")
    result = PublicProfileOut(**card(target, view.status).model_dump())
    if view.profile:
        profile, _ = await profile_and_preferences(session, target.id)
        result.bio = target.bio
        result.profile = ProfileOut.model_validate(profile)
        result.date_joined = target.date_joined
    return result


async def search(session: AsyncSession, viewer: User, q: str) -> list[UserCard]:
    """People to find and befriend. Public profiles match on username or names; friends-only profiles
    only by their exact username or e-mail (and then show just the username); private ones never."""
    term = q.strip().lower()
    if len(term) < 2:
        raise Unprocessable("Type at least two characters to search.", field="q")
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    name_match = or_(
        func.lower(User.username).like(pattern),
        func.lower(func.concat_ws(" ", User.first_name, User.last_name)).like(pattern),
    )
    exact = or_(func.lower(User.username) == term, func.lower(User.email) == term)
    friends = are_friends(viewer.id, User.id)
    open_profile = or_(
        User.profile_visibility == ProfileVisibility.PUBLIC,
        and_(User.profile_visibility == ProfileVisibility.FRIENDS, friends),
    )
    findable = or_(and_(open_profile, name_match), and_(User.profile_visibility != ProfileVisibility.PRIVATE, exact))
    rows = await session.execute(
        select(User, open_profile.label("open"), UserFriendship.status)
        .outerjoin(UserFriendship, between(literal(viewer.id), User.id))
        .where(User.id != viewer.id, User.is_active, not_(blocked_between(viewer.id, User.id)), findable)
        .order_by(exact.desc(), func.lower(User.username))
        .limit(SEARCH_LIMIT)
    )
    results = []
    for user, is_open, status in rows.all():
        if status not in (FriendshipStatus.ACCEPTED, FriendshipStatus.PENDING):
            status = None  # a declined request is not announced to the one who sent it
        found = card(user, status)
        if not is_open:
            found = UserCard(id=user.id, username=user.username, friendship_status=status)
        results.append(found)
    return results
