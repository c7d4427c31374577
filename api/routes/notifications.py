"""The notification outbox for channels: a bot claims what it should tell its chat users (steps of their reports,
cases entering a cadre's queue, morning digests), acknowledges what it sent, and asks for today's digests.

The API writes notifications in the transaction of the step they tell of; any replica serves the claim, the
lease keeps two bot processes from sending one twice, and a claim not acknowledged comes back after the lease.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import ChannelClient
from api.deps import ServicesDep
from api.schemas.cases import AckIn, AckOut, ClaimIn, ClaimOut, DigestOut, NotificationOut
from api.schemas.common import ErrorOut

router = APIRouter(
    prefix="/v1/notifications",
    tags=["notifications"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)


@router.post("/claim", response_model=ClaimOut, summary="Claim pending notifications")
def claim(body: ClaimIn, client: ChannelClient, services: ServicesDep) -> ClaimOut:
    """The channel's oldest pending notifications, leased to the caller for 60 seconds."""
    claimed = services.cases.claim(channel=client.name, limit=body.limit)
    return ClaimOut(notifications=[NotificationOut.of(n) for n in claimed])


@router.post("/ack", response_model=AckOut, summary="Acknowledge sent notifications")
def ack(body: AckIn, client: ChannelClient, services: ServicesDep) -> AckOut:
    """Mark the channel's notifications delivered (others' ids are ignored)."""
    return AckOut(acknowledged=services.cases.ack(channel=client.name, ids=body.ids))


@router.post("/digest", response_model=DigestOut, summary="Enqueue today's cadre digests")
def digest(client: ChannelClient, services: ServicesDep) -> DigestOut:
    """A digest of waiting and overdue cases for each cadre bound on the channel, once a day."""
    return DigestOut(enqueued=services.cases.enqueue_digests(channel=client.name))
