"""What the guard says in place of text it will not pass on, in Japanese and English."""

from __future__ import annotations

from agents.templates import Bilingual

# An input that tries to override the assistant's instructions.
INJECTION_REFUSAL = Bilingual(
    ja="申し訳ありませんが、そのご依頼にはお応えできません。漫画探しやご注文についてのご質問でしたら、"
    "お気軽にどうぞ。",
    en="Sorry, I can't help with that request. I'm happy to help you find manga or check on "
    "an order.",
)
# An input that insults or threatens someone.
ABUSE_REFUSAL = Bilingual(
    ja="申し訳ありませんが、そのメッセージにはお答えできません。お困りのことがあれば、"
    "内容を教えていただければお手伝いします。",
    en="Sorry, I can't respond to that message. If something has gone wrong, tell me what "
    "happened and I'll do my best to help.",
)
# A whole reply (or the rest of a streamed one) that cannot be shown.
REPLY_FALLBACK = Bilingual(
    ja="申し訳ありません。この回答は表示できません。別の聞き方でもう一度お試しください。",
    en="Sorry, I can't show this answer. Please try asking in a different way.",
)
# One sentence of a reply that was taken out.
SENTENCE_REMOVED = Bilingual(
    ja="（この部分は表示できません）",
    en="(This part of the answer was removed.)",
)
# A competitor's name, when names are masked rather than sentences removed.
OTHER_STORE = Bilingual(ja="他店", en="another store")
