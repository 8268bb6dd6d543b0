"""The channel the hub's chat service talks to: POST /webhooks/hub/webhook.

Like Rasa's REST channel, but one call returns everything /api/chat/ needs:
the bot messages (text, buttons and the custom payload kept *together*, where the
REST channel would split a response with text + custom into two messages) and the
NLU decision of this turn (intent, confidence, the FAQ gate's best guess), so the
hub never needs a second call to /model/parse.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class HubOutputChannel(CollectingOutputChannel):
    @classmethod
    def name(cls) -> str:
        return "hub"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self._persist_message(
            {
                "text": message.get("text") or "",
                "buttons": message.get("buttons") or [],
                "custom": message.get("custom") or {},
                "utter_action": message.get("utter_action"),
            }
        )


class HubInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "hub"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hub_webhook = Blueprint("hub_webhook", __name__)

        @hub_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hub_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json or {}
            sender = str(body.get("sender") or "")
            text = str(body.get("message") or "")
            if not sender or not text:
                return response.json({"error": "sender and message are required"}, status=400)
            collector = HubOutputChannel()
            await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
            parse = await self._latest_parse(request, sender)
            return response.json(
                {
                    "messages": collector.messages,
                    "intent": parse.get("intent") or {},
                    "faq_gate": parse.get("faq_gate") or {},
                }
            )

        return hub_webhook

    @staticmethod
    async def _latest_parse(request: Request, sender: str) -> dict[str, Any]:
        tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
        return tracker.latest_message.parse_data if tracker and tracker.latest_message else {}
