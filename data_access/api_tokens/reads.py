"""Tokens as their owners and admins see them (never the hash), and finding a token's owner."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from data_access.api_tokens.commands import TOKEN_PREFIX, token_hash
from data_access.core import clock
from data_access.core.db import get_engine, read_df, session_scope
from data_access.core.models import ApiToken, Person

# Recording each use would write on every request; once a minute tells the owner enough.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def tokens(person_id: int | None = None, url: str | None = None) -> pd.DataFrame:
    """One person's tokens (or everyone's, for an admin: person_id None), newest first."""
    query = (
        sa.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.scope,
            ApiToken.prefix,
            Person.name.label("owner"),
            ApiToken.created_at,
            ApiToken.expires_on,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
        )
        .join(Person, Person.id == ApiToken.person_id)
        .order_by(ApiToken.id.desc())
    )
    if person_id is not None:
        query = query.where(ApiToken.person_id == person_id)
    return read_df(query, url=url)


@dataclass(frozen=True)
class TokenUse:
    """Who a presented token belongs to, or why it does not work (`problem`)."""

    token_id: int | None = None
    person_id: int | None = None
    scope: str = "read"
    problem: str | None = None


def check_token(secret: str, *, today: dt.date, url: str | None = None) -> TokenUse:
    """The token's owner if it is known, not revoked and not expired; records its use."""
    if not secret.startswith(TOKEN_PREFIX):
        return TokenUse(problem="The token is not valid.")
    engine = get_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(ApiToken).where(ApiToken.token_hash == token_hash(secret))
        ).first()
    if row is None:
        return TokenUse(problem="The token is not valid.")
    if row.revoked_at is not None:
        return TokenUse(token_id=row.id, problem="The token was revoked.")
    if row.expires_on < today:
        return TokenUse(token_id=row.id, problem=f"The token expired on {row.expires_on}.")
    now = clock.real_now()
    if row.last_used_at is None or now - _aware(row.last_used_at) >= LAST_USED_EVERY:
        # Not a change of anyone's data: no audit row, no data-version bump (caches stay warm).
        with session_scope(url) as session:  # in turn with the other writers (SQLite)
            session.execute(
                sa.update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
            )
            session.commit()
    return TokenUse(token_id=row.id, person_id=row.person_id, scope=row.scope)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
