"""The chat service shared by /api/chat/ and the LINE webhook.

Interface (owned by the assistant; the notifier calls it for LINE text messages):

    ask(sender: str, message: str, lang: str = "ja") -> dict

returns the exact JSON body of a 200 answer of POST /api/chat/ (contract §2):
{"replies": [{"text", "faq_id", "url", "buttons"}], "intent", "confidence"}, and raises
ChatbotUnavailable (carrying the fallback body) when Rasa cannot be reached.
"""

from __future__ import annotations


class ChatbotUnavailable(Exception):
    def __init__(self, body: dict):
        super().__init__("chatbot unavailable")
        self.body = body


def ask(sender: str, message: str, lang: str = "ja") -> dict:
    raise NotImplementedError("implemented by the assistant issue")
