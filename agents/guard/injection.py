"""Stage 2: prompt injection and jailbreaks, in English, Japanese and a few other languages.

On input, a message is blocked when it tries to override the assistant's
instructions, reveal its prompt, switch it into a rule-free persona, fake a
system or delimiter marker, or pull other shoppers' data. Instructions may be
hidden: besides the folded text (full-width letters and zero-width characters
are dealt with by :mod:`agents.guard.folding`), the rules read decoded
candidates: base64, hex, URL and HTML escapes, ``\\u`` escapes, ROT13, the
text reversed, leetspeak and letters spaced apart.

On output, a reply is blocked when it leaks a system prompt marker (the
configured canary strings, chat-template delimiters) or speaks as if it had
obeyed an injected instruction ("developer mode enabled", 「制限は解除されました」).

Every rule needs an instruction-shaped phrase, not a keyword: "ignore the first
volume", 「最初の巻は無視して」, "what are the rules for points?" and "act 2"
pass.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
import unicodedata
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

from agents.guard.folding import INVISIBLE_RE, fold
from agents.guard.model import Direction, Finding


def _gap(chars: int) -> str:
    """Up to ``chars`` characters within one sentence."""
    return f"[^.!?。！？\\n]{{0,{chars}}}?"


# --- English -------------------------------------------------------------------------------

_OVERRIDE_VERB = (
    r"(?:ignore|ignoring|disregard|forget|skip|bypass|override|overwrite|overrule|drop|discard"
    r"|abandon|neglect|circumvent|suspend|erase|delete|clear|reset|turn off|switch off|disable"
    r"|deactivate|violate|throw out|set aside|put aside|stop following|stop obeying"
    r"|don'?t follow|do not follow|no longer follow|without following)"
)
_STRONG_NOUN = (
    r"(?:instructions?|prompts?|directives?|guidelines?|programming|guardrails?"
    r"|system (?:message|rules?|settings)|safety (?:rules?|filters?|guidelines?|settings|protocols?"
    r"|measures)|content (?:polic(?:y|ies)|filters?)|moderation"
    r"|(?:initial|original|hidden|system|previous|prior|above|earlier) (?:commands?|context"
    r"|setup|configuration|conditioning|training))"
)
_RULE_NOUN = (
    r"(?:rules?|restrictions?|constraints?|limitations?|limits|polic(?:y|ies)|filters?|ethics"
    r"|morals|boundaries|principles|training|restraints|commands?)"
)
_QUALIFIER = (
    r"(?:your|all|any|every|previous|prior|above|earlier|preceding|initial|original|former"
    r"|existing|current|given|these|those|the system'?s?|default|built-in|safety|old|such)"
)
_REVEAL_VERB = (
    r"(?:show|reveal|print|display|repeat|output|tell|give|leak|dump|expose|share|list|write"
    r"|type|recite|spell out|paste|copy|return|provide|disclose|read|translate|summari[sz]e|echo"
    r"|quote|what(?:'s| is| are| were|'re| was))"
)
_SECRET_TARGET = (
    r"(?:system\s*prompts?|system\s*messages?|system\s*instructions?|initial\s*(?:prompt|instructions)"
    r"|hidden\s*(?:prompts?|instructions|rules|text|messages?)|secret\s*(?:prompts?|instructions|rules)"
    r"|original\s*(?:prompt|instructions)|developer\s*(?:messages?|prompts?|instructions)"
    r"|pre-?prompts?|meta-?prompts?|internal\s*(?:instructions|rules|prompts?|guidelines|configuration)"
    r"|(?:your|its)\s*(?:prompts?|instructions|guidelines|configuration|config|directives|programming"
    r"|rules|api keys?|secret keys?|credentials|access tokens?)"
    r"(?!\s*(?:for|on|about|regarding|of|when|if|to|in)\b)"
    r"|the\s*(?:api keys?|secret keys?|credentials|access tokens?|database password)"
    r"|(?:the|your)\s*(?:prompt|instructions)\s*(?:above|you\s*(?:were|got|received|have\s*been))"
    r"|(?:text|words|everything|instructions|content|messages?|lines)\s*(?:above|before)"
    r"(?!\s*[¥$0-9])"
    r"|(?:first|previous|initial)\s*(?:\d+\s*)?(?:lines|words|sentences|messages|characters)\s*"
    r"(?:of|in)\s*(?:this|the|your)\s*(?:conversation|prompt|context|chat))"
)
_PERSONA_INTRO = (
    r"(?:you are|you're|youre|u r|act(?:ing)? (?:as|like)|behave (?:as|like)|pretend|role-?play"
    r"|play(?:ing)? (?:the role of|a role|a character)|simulate|imagine (?:you are|you're|that you"
    r"|being)|from now on|become|turn into|respond as|answer as|speak as|you will be|you'll be"
    r"|you must be|switch to|transform into)"
)
_UNBOUND = (
    r"(?:without (?:any )?(?:rules|restrictions|limits|limitations|filters|filtering|censorship"
    r"|guidelines|ethics|morals|boundaries|constraints|safeguards|guardrails|polic(?:y|ies))"
    r"|with no (?:rules|restrictions|limits|limitations|filters|censorship|guidelines|ethics|morals"
    r"|boundaries|constraints)|free (?:of|from) (?:all |any |your )?(?:rules|restrictions|limits"
    r"|limitations|filters|censorship|guidelines|ethics|constraints|polic(?:y|ies)|programming)"
    r"|no longer (?:bound|restricted|limited|constrained)|not bound by|unbound by|unrestricted"
    r"|with zero (?:rules|restrictions|limits|limitations|filters|censorship|guidelines|ethics)"
    r"|unfiltered|jailbroken|amoral|lawless|rule-?less|(?:that|who) (?:ignores|doesn'?t follow"
    r"|does not follow|can do anything|breaks? (?:the|all|every) rules?)|(?:has|have) no (?:rules"
    r"|restrictions|limits|filters|ethics|guidelines)|can do anything|anything goes"
    r"|uncensored (?:ai|assistant|bot|model|chatbot|version of (?:you|yourself)))"
)
_USERS = r"(?:users?|customers?|shoppers?|members?|accounts?|people|persons?|clients?|buyers?)"
_USER_DATA = (
    r"(?:orders?|addresses|address|emails?|e-?mail addresses|phone numbers?|personal (?:data"
    r"|information|info|details)|data|passwords?"
    r"|credit cards?|card numbers?|payment (?:info|details"
    r"|information)|purchase history|details|information)"
)
_EN_RULES: tuple[tuple[str, str], ...] = (
    (
        "override",
        rf"\b{_OVERRIDE_VERB}\b{_gap(40)}\b(?:{_STRONG_NOUN}|{_QUALIFIER}\s+(?:[a-z'-]+\s+)?"
        rf"{_RULE_NOUN})\b",
    ),
    (
        "override",
        r"\b(?:ignore|disregard|forget)\s+(?:everything|anything|all|whatever|what)\s*"
        r"(?:(?:you were|you've been|i|was|has been"
        r"|is)\s+)?(?:(?:said|written|stated|told|given)\s+)?"
        r"(?:above|before (?:this|now)|previously|prior|so far|until now|up to now|earlier)\b",
    ),
    (
        "override",
        r"\b(?:ignore|disregard)\s+(?:the\s+)?(?:above|preceding)(?:\s+and\b|\s*[.,:;!]|$)",
    ),
    ("reveal", rf"\b{_REVEAL_VERB}\b{_gap(40)}{_SECRET_TARGET}"),
    (
        "reveal",
        r"\bwhat (?:were|was|have|are) you (?:been )?(?:told|instructed|programmed|asked|prompted)"
        r"(?: to do)? (?:before|at the (?:start|beginning)|by (?:your|the) (?:developers?|creators?"
        r"|owners?|company|system|operators?)|initially|originally)"
        r"|\b(?:what|which) (?:instructions|rules|guidelines|prompts?|directives)\b[^.!?\n]{0,30}"
        r"\b(?:your|the) (?:creators?|developers?|owners?"
        r"|operators?|company|programmers?|makers?)\b"
        r"|\b(?:instructions|rules|guidelines|prompts?|directives)\b[^.!?\n]{0,20}"
        r"\b(?:you were given|you've been given|you received|given to you|you got from)\b",
    ),
    ("persona", rf"\b{_PERSONA_INTRO}\b{_gap(60)}{_UNBOUND}"),
    (
        "persona",
        r"\b(?:ai|assistant|bot|chatbot|model|llm)\s+(?:with\s+(?:zero|no)|without(?:\s+any)?)\s+"
        r"(?:rules|restrictions|limits|limitations|filters|censorship|guidelines|ethics|morals"
        r"|guardrails|safety)\b",
    ),
    (
        "jailbreak",
        r"\b(?:jailbreak(?:ed|ing|s)?|jail-break|do anything now|dan (?:mode|prompt|jailbreak)"
        r"|(?:you are|you're|act as|as|stay|become|now) dan\b|dude mode|stan mode"
        r"|(?:developer|dev|debug|god|admin|administrator|sudo|root|maintenance|unrestricted"
        r"|unfiltered|uncensored|evil|chaos|opposite|dan|unlocked|unsafe|no-?filter)\s+mode"
        r"|anti-?dan|evil (?:ai|assistant|bot|twin|confidant|version of (?:you|yourself))"
        r"|stay in character|never break character|don'?t break character)\b",
    ),
    (
        "no_rules",
        r"\b(?:no|zero|without any)\s+(?:rules|restrictions|limits|limitations|filters|censorship"
        r"|guidelines|ethical guidelines|content polic(?:y|ies))\s+(?:apply|anymore|any more"
        r"|from now on|at all|for (?:you|this (?:chat|conversation)))\b",
    ),
    (
        "obey",
        r"\byou (?:must|will|shall|have to) (?:now )?(?:obey|comply with|follow) (?:me|my|every|all"
        r"|only)\b|\byou (?:can|may) (?:now )?(?:say|do) anything\b",
    ),
    (
        "new_instructions",
        r"\b(?:new|updated|real|actual|true|secret|hidden|override|overriding|admin|system)\s+"
        r"(?:instructions?|rules?|system prompt|persona|directives?|task)\s*[:-]"
        r"|\byour (?:new|real|true|actual) (?:instructions?"
        r"|rules|task|role|purpose|persona|goal|job"
        r"|directive) (?:is|are|will be)\b",
    ),
    (
        "authority",
        r"\b(?:i am|i'm|im|this is) (?:your|the) (?:developer|creator|admin|administrator"
        r"|programmer|operator|system administrator|sysadmin)\b"
        r"(?! of (?:our|my|a|an|his|her|their)\b)"
        r"|\b(?:i am|i'm|im) your owner\b"
        r"|\bas your (?:developer|creator|admin|administrator|owner|operator)\b"
        r"|\b(?:admin|administrator|developer|root|sudo|emergency) (?:override|access|command"
        r"|authori[sz]ation|privileges?)\b",
    ),
    (
        "exfiltrate",
        rf"\b(?:show|list|give|tell|send|export|dump|print|display|reveal|read|get|fetch|email"
        rf"|what (?:is|are))\b{_gap(30)}\b(?:all|every"
        rf"|other|another|someone else'?s|somebody else'?s"
        rf"|each)\s+(?:[a-z]+\s+)?{_USERS}(?:'s|s'|')?\s+(?:[a-z]+\s+)?{_USER_DATA}",
    ),
    (
        "exfiltrate",
        rf"\b(?:show|list|give|tell|send|export|dump|print|display|reveal|read|get|fetch|email)\b"
        rf"{_gap(30)}\b{_USER_DATA}\s+(?:of|for|from)\s+(?:all|every|other|another|the other|each)"
        rf"\s+(?:[a-z]+\s+)?{_USERS}\b",
    ),
    (
        "secrets",
        rf"\b(?:api keys?|secret keys?|access tokens?|credentials|environment variables|env vars"
        rf"|\.env file|database (?:password|credentials|dump|schema|contents)|connection string)\b"
        rf"{_gap(30)}\b(?:you (?:use|have)|of (?:this"
        rf"|the|your) (?:system|store|server|app|bot|site)"
        rf"|for (?:this|the|your) (?:system|store|server|app|bot|database|site))",
    ),
    (
        "grandma",
        r"\b(?:grandma|grandmother|granny)\b.{0,80}\b(?:system prompt|api keys?|passwords?"
        r"|your instructions|secret keys?|credit card numbers)\b",
    ),
    (
        "foreign_override",
        r"\bignor(?:a|ez|ar|iere|ieren|ate|are)\b.{0,30}\b(?:instrucciones|instructions|anweisungen"
        r"|istruzioni|instruções|regeln|reglas|règles|regole)\b"
        r"|\b(?:olvida|oublie[zr]?|vergiss|dimentica|esqueça)\b.{0,30}\b(?:instrucciones|instructions"
        r"|anweisungen|istruzioni|instruções|regeln|reglas|règles|regole)\b"
        r"|\b(?:muestra|montre|zeig|mostra|affiche)\b.{0,30}\b(?:prompt del sistema|prompt système"
        r"|system-?prompt|systemprompt|prompt di sistema)\b",
    ),
)

# --- Markers: chat templates, fake system turns, closing context tags --------------------------

_DELIMITER_RULES: tuple[tuple[str, str], ...] = (
    (
        "delimiter",
        r"<\|\s*(?:im_start|im_end|im_sep|system|user|assistant|endoftext|begin_of_text|end_of_text"
        r"|start_header_id|end_header_id|eot_id|fim_[a-z]+)\s*\|>"
        r"|\[/?(?:inst|sys|system|system prompt|assistant|admin)\]|<<\s*/?sys\s*>>"
        r"|</?\s*(?:system|context|instructions?|prompt|system_prompt|assistant|document|documents"
        r"|tool|human|admin|developer|im_start|im_end)\s*>"
        r"|(?:^|\n)[ \t]*#{1,6}\s*(?:system|instructions?|new instructions?|assistant|admin"
        r"|developer|override)\b"
        r"|(?:^|\n)[ \t]*(?:system|assistant|developer|admin|administrator)\s*(?:prompt|message"
        r"|override|instructions?)?\s*:"
        r"|【\s*(?:システム|system|管理者|開発者|指示|命令|運営|システムメッセージ)\s*】"
        r"|\[\s*(?:システム|管理者|開発者|指示)\s*\]"
        r"|(?:^|\n)[ \t]*(?:システム|管理者|開発者)(?:メッセージ|プロンプト|指示)?\s*:"
        r"|(?:-{3,}|={3,}|\*{3,}|#{3,})\s*(?:end of|begin"
        r"|start of|new)\s*(?:the )?(?:system|context"
        r"|prompt|user input|input|instructions|document|conversation)"
        r"|\b(?:end|begin|start) of (?:the )?(?:system prompt|context|user input|instructions)\b"
        r"|\{\{\s*(?:system|instructions?)\b|```\s*system\b"
        r"|(?:^|\n)[ \t]*(?:human|user)\s*:[^\n]{0,200}\n[ \t]*(?:assistant|ai)\s*:",
    ),
)

# --- Japanese, Chinese, Korean ------------------------------------------------------------

_JA_NOUN = (
    "(?:指示|命令|ルール|規則|制約|制限|プロンプト|指令|ガイドライン|ポリシー|方針|前提|縛り"
    "|プログラム|システムメッセージ|初期設定|命令文|指示文)"
)
_JA_QUALIFIER = (
    "(?:これまで|今まで|いままで|以前|前|先|上記|上|先ほど|さっき|最初|初期|元|もと|既存|全て|すべて"
    "|全部|あらゆる|一切|あなた|君|きみ|お前|おまえ|システム|設定された|与えられた|受けた"
    "|守っている|開発者|運営|事前)"
)
_JA_DROP = (
    "(?:無視|むし|忘れ|わすれ|破棄|無効|リセット|解除|取り消|上書き|捨て|放棄|気にしな|従わな|守らな"
    "|気にせず|関係な|なかったこと|白紙)"
)
_JA_RULES_WORD = (
    "(?:ルール|制限|制約|検閲|フィルター|フィルタ|倫理|規則|規定|規約|縛り|規制|道徳|モラル|ガイドライン"
    "|ポリシー|安全設定|安全対策|セーフティ|ガードレール)"
)
_JA_RULES: tuple[tuple[str, str], ...] = (
    (
        "override",
        f"{_JA_QUALIFIER}(?:の|に|から|で|が)?(?:全て|すべて|全部|一切)?の?{_JA_NOUN}"
        f"(?:は|を|も|など|とか|なんて|なんか)?(?:すべて|全て|全部|一切|完全に|いったん|一旦)?{_JA_DROP}"
        "|(?:システム|あなた|君|お前)の設定(?:を|は)?(?:無視|忘れ|破棄|無効|リセット|解除|上書き)",
    ),
    (
        "override",
        "(?:指示|命令|ルール|規則|制約|プロンプト|指令|ガイドライン|プログラム|システムメッセージ)"
        "(?:を|は|なんて|とか|なんか)?(?:全部|すべて|全て|一切|完全に)?"
        "(?:無視(?:して|しろ|せよ|すること|する|しなさい|で)|忘れ(?:て|ろ|なさい)|破棄(?:して|しろ)"
        "|無効(?:化)?(?:して|にして|しろ)|解除(?:して|しろ)|上書き(?:して|しろ)"
        "|守らなくて(?:いい|良い)|に従わなくて(?:いい|良い)|は(?:もう)?(?:関係ない|不要|いらない))",
    ),
    (
        "reveal",
        "(?:システム|初期|内部|隠し|隠された|秘密の|最初の|元の|事前|裏|開発者|管理者|ベース)の?"
        "(?:プロンプト|指示|命令|設定|メッセージ|ルール|指令|指示文|命令文)文?"
        "(?:を|は|の内容を?|の中身を?|の全文を?|全文を?)?"
        "(?:全部|すべて|全て|そのまま|一字一句|一言一句|正確に|一覧で|一覧に|まとめて){0,2}"
        "(?:表示|見せ|みせ|教え|おしえ|出力|開示|公開|書き出|書い|繰り返|言って|貼っ|貼り|コピー|共有"
        "|送っ|晒|印刷|翻訳|暴露|列挙)"
        "|(?:あなた|君|きみ|お前|おまえ|ai|アシスタント|ボット)(?:が|に|へ)?(?:与えられ|受け取っ|設定され"
        "|読み込ま|指示され|命じられ|仕込まれ|教えられ)(?:た|ている|てる)(?:指示|命令|設定|プロンプト"
        "|ルール|内容|情報)"
        "|プロンプト(?:を|の内容を|の中身を|の全文を|全文を)?(?:全部|すべて|全て|そのまま)?"
        "(?:表示|見せ|教え|出力|開示|書き出|貼)"
        "|(?:上|前|これより前|この前|上記|冒頭)の(?:文章|文|テキスト|内容|指示|命令)を"
        "(?:全部|すべて|全て|そのまま)?(?:繰り返|表示|出力|書き出)"
        "|(?:あなた|君|お前|おまえ)の(?:ルール|指示|設定|命令|プロンプト)(?:を|は)?(?:全部|すべて|全て)?"
        "(?:教え|見せ|表示|出力)"
        "|(?:システム|初期|内部|隠し|隠された|秘密の|裏の?|開発者の?|管理者の?|設定された|与えられた"
        "|受けた|仕込まれた|最初の)(?:プロンプト|指示|命令|設定|ルール|指令|指示文)(?:は|って)(?:何|なに|どんな)"
        "|(?:system\\s*prompt|システムプロンプト|初期プロンプト|内部プロンプト)(?:を|は)?"
        "(?:全部|すべて|全て|そのまま)?(?:見せ|表示|教え|出力|貼|コピー)"
        "|(?:指示文|命令文|プロンプト)(?:を|の)?(?:全文|全部|すべて|そのまま)(?:コピー|表示|出力|貼|教え|見せ)"
        "|(?:最初に|事前に|最初から|裏で)(?:受けた|与えられた|設定された|言われた|仕込まれた)"
        "(?:指示|命令|設定|ルール|プロンプト)(?:を|は)?(?:全部|すべて)?(?:教え|見せ|表示|出力|何)"
        "|(?:会話|チャット|この(?:メッセージ|文))の(?:前|上)に(?:書かれ|あ)(?:ている|る|た)"
        "(?:テキスト|文章|文|内容|指示)(?:を|は)",
    ),
    (
        "persona",
        f"{_JA_RULES_WORD}(?:の|が|も|を|に)?(?:一切)?(?:ない|無い|なし|無し|持たない|存在しない"
        "|から解放された|を無視する|無視の|に縛られない|を気にしない|に従わない|のかからない|なく|無く)"
        "(?:で)?.{0,12}?(?:ai|アシスタント|ボット|bot|チャットボット|存在|人格|キャラ|モード|状態|として"
        "|で答え|で回答|で話|で返|になって|になりきって|のふり|を演じ|設定で)"
        f"|(?:あなた|君|きみ|お前|おまえ)は(?:もう|もはや|今から|これから)?{_JA_RULES_WORD}(?:に|を)?"
        "(?:縛られない|従わなくて|守らなくて|無視でき|気にしなくて|関係ない)"
        f"|{_JA_RULES_WORD}(?:を|は)?(?:無視|解除)(?:した|する)(?:ai|アシスタント|ボット|キャラ|人格|モード)",
    ),
    (
        "jailbreak",
        "(?:開発者|デベロッパー|デバッグ|管理者|アドミン|ゴッド|神|脱獄|ジェイルブレイク|制限解除"
        "|無制限|dan|何でもあり|なんでもあり)\\s*モード|脱獄|ジェイルブレイク|ジェイルブレーク"
        "|(?:なんでも|何でも)できる(?:ai|アシスタント|ボット)",
    ),
    (
        "authority",
        "(?:私|わたし|僕|ぼく|俺|おれ)(?:は|が)(?:あなたの|この(?:ボット|ai|システム|サービス)の)?"
        "(?:開発者|管理者|作成者|製作者|運営者|システム管理者|オーナー|プログラマー)(?:です|だ|なので|として)"
        "|管理者権限|開発者権限|(?:管理者|開発者)として(?:命令|指示|命じ)"
        "|(?:運営|管理者|開発者|システム|本社)(?:から|より)の(?:指示|命令|通達|特別指示)(?:です|:|。|、)",
    ),
    (
        "exfiltrate",
        "(?:他の|ほかの|別の|全ての|すべての|全|全部の)(?:ユーザー|ユーザ|お客様|お客さん|客|顧客|人|会員"
        "|利用者|アカウント)(?:の|たちの)(?:注文|住所|メール|メールアドレス|個人情報|電話番号|購入履歴"
        "|クレジットカード|カード番号|カード情報|データ|パスワード|情報)(?:を|も)?"
        "(?:全部|すべて|全て|一覧で|まとめて)?(?:表示|見せ|教え|出力|送っ|一覧|列挙|ダンプ)",
    ),
    (
        "new_instructions",
        "新しい(?:指示|命令|ルール|システムプロンプト|プロンプト|設定)(?:は|です|:|を与え)"
        "|(?:本当の|真の|隠された)(?:指示|命令|ルール)(?:は|:)",
    ),
    (
        "secrets",
        "(?:apiキー|api key|アクセスキー"
        "|シークレットキー|認証情報|環境変数|データベースのパスワード"
        "|dbのパスワード)(?:を|は)?(?:全部|すべて|全て|一覧で)?(?:教え|見せ|表示|出力)",
    ),
    (
        "foreign_override",
        "(?:忽略|无视|無視|忘记|忘記|不要理会)(?:之前|以前|上面|先前|前面|所有|全部|你的)?的?(?:所有|全部)?的?"
        "(?:指令|指示|说明|說明|规则|規則|提示|设定)"
        "|(?:显示|顯示|输出|輸出|告诉我|告訴我|给我看|給我看)(?:你的)?(?:系统|系統)(?:提示|提示词|提示詞|指令)"
        "|(?:이전|앞의|모든|위의)\\s*(?:지시|명령|지침|규칙|프롬프트)[을를은는]?\\s*(?:모두\\s*)?(?:무시|잊어)"
        "|시스템\\s*프롬프트",
    ),
)

# Letters spaced or dotted apart ("i g n o r e", "i.g.n.o.r.e") are read joined up.
_SPLIT_LETTERS_RE = re.compile(
    r"(?:(?<![a-z])[a-z][\s.\-_*/|+]+){5,}|(?:[ぁ-んァ-ヶ一-龥][\s.\-_*/|+]+){5,}"
)
_COMPACT_RE = re.compile(
    r"(?:ignore|disregard|forget)(?:all|the|your|any|my)*(?:previous|prior|above|earlier)?"
    r"(?:instructions|rules|prompts?|guidelines)"
    r"|(?:reveal|show|print|display|tell)(?:me)?(?:your|the)(?:system)?prompt"
    r"|systemprompt|developermode|jailbreak|doanythingnow"
    r"|(?:これまで|今まで|以前|前)の(?:指示|命令|ルール)を(?:無視|忘れ)|指示を無視|システムプロンプトを"
)
_LEET_RE = re.compile(r"[a-z][0134578@$][a-z]|[0134578@$][a-z]{2}")
_LEET = str.maketrans("0134578@$", "oieastbas")

# What an injection is about, for readings that are seldom anything else (decoded, ROT13, …).
_TRIGGER_RE = re.compile(
    r"ignor|disregard|forget|bypass|overrid|instruc|prompt|system|jailbreak|developer|pretend"
    r"|role|reveal|rules|restrict|filter|dan\b|mode|admin|guideline|polic|persona|character|obey"
    r"|anything|censor|api key|credential|customer|other user|secret|<\||\[inst|<<|\{\{|```"
    r"|指示|命令|ルール|プロンプト|制限|システム|モード|無視|忘れ|開発者|管理者"
)

# --- Output: leaks and obeyed injections ----------------------------------------------------------

_LEAK_RULES: tuple[tuple[str, str], ...] = (
    (
        "leak",
        r"\b(?:my|the) (?:system prompt|initial (?:prompt"
        r"|instructions)|hidden (?:prompt|instructions)"
        r"|system message|original instructions|developer (?:message|instructions)) (?:is|are|says"
        r"|reads|was|were|follows)\b|\b(?:my|the) system prompt\s*:"
        r"|\bhere (?:is|are) (?:my|the) (?:full |complete "
        r"|entire )?(?:system prompt|instructions i was"
        r" given|hidden (?:instructions|rules|prompt)"
        r"|initial (?:prompt|instructions)|system message"
        r"|original instructions)",
    ),
    (
        "obeyed",
        r"\b(?:developer|dan|jailbreak|god|unrestricted|evil) mode (?:is )?(?:now )?(?:enabled"
        r"|activated|on|engaged|unlocked)\b|\b(?:as dan|dan here|i am dan|i'm dan)\b"
        r"|\bi (?:am|'m) (?:now )?(?:free from|no longer bound by|no longer restricted|not bound by"
        r"|jailbroken|unrestricted|unfiltered)\b|\bi (?:have|'ve) no (?:restrictions|rules|limits"
        r"|filters|guidelines)\b|\b(?:ignoring|i will ignore"
        r"|i'll ignore|i have ignored|i've ignored"
        r"|disregarding) (?:my|all|the|previous|prior"
        r"|your) (?:previous |prior )?(?:instructions|rules"
        r"|guidelines|programming)\b|\bi (?:have been|was"
        r"|got) (?:pwned|hacked|jailbroken)\b|\bpwned\b",
    ),
    (
        "leak",
        "システムプロンプト(?:は|の内容は|を表示します|は以下|は次の|をお見せします|を公開します)"
        "|(?:私|わたし)(?:に与えられた|への|の)(?:指示|命令|設定|プロンプト|初期設定)(?:は以下|は次|を(?:表示|お見せ|公開))",
    ),
    (
        "obeyed",
        "(?:開発者|dan|脱獄|ゴッド|無制限)モード(?:が|を|に)?(?:有効|オン|起動|開始|切り替え|突入)"
        "|制限(?:は|が)?(?:すべて|全て)?(?:解除|なくなり|無効に|無効化)(?:されました|しました|されています)"
        "|(?:ルール|制限|指示|制約)(?:を|は)?(?:無視|解除)して(?:お?答え|回答し|話し|お話し)ます",
    ),
)


def _compile(rules: tuple[tuple[str, str], ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, re.compile(pattern, re.MULTILINE)) for name, pattern in rules)


_INPUT_RULES = _compile(_EN_RULES + _DELIMITER_RULES + _JA_RULES)
_OUTPUT_RULES = _compile(_DELIMITER_RULES + _LEAK_RULES)


@dataclass(frozen=True)
class InjectionHit:
    rule: str
    # How the text was read when the rule fired: "text", "base64", "rot13", …
    reading: str


# --- Decoding hidden instructions ---------------------------------------------------------------

_B64_RE = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX_RE = re.compile(
    r"(?:\\x[0-9a-f]{2}){6,}|(?:0x[0-9a-f]{2}[\s,]*){6,}"
    r"|(?<![0-9a-z])(?:[0-9a-f]{2}[\s:]?){8,}(?![0-9a-z])"
)
_UNICODE_ESCAPE_RE = re.compile(r"(?:\\u[0-9a-f]{4}){3,}")


def _printable(text: str) -> bool:
    if not text.strip():
        return False
    good = sum(1 for char in text if char.isprintable() or char in "\n\t")
    return good / len(text) >= 0.9


def _bytes_text(raw: bytes) -> str | None:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return decoded if _printable(decoded) else None


def _base64_readings(text: str) -> Iterator[str]:
    for match in _B64_RE.finditer(text):
        candidate = match.group()
        if candidate.isalpha() and (candidate.islower() or candidate.isupper()):
            continue  # a long plain word
        padded = candidate + "=" * (-len(candidate) % 4)
        altchars = b"-_" if ("-" in candidate or "_" in candidate) else None
        try:
            raw = base64.b64decode(padded, altchars=altchars, validate=True)
        except (binascii.Error, ValueError):
            continue
        decoded = _bytes_text(raw)
        if decoded:
            yield decoded


def _hex_readings(folded: str) -> Iterator[str]:
    for match in _HEX_RE.finditer(folded):
        digits = re.sub(r"\\x|0x|[\s,:]", "", match.group())
        if len(digits) % 2:
            digits = digits[:-1]
        try:
            raw = bytes.fromhex(digits)
        except ValueError:
            continue
        decoded = _bytes_text(raw)
        if decoded:
            yield decoded


def _readings(text: str, folded: str) -> Iterator[tuple[str, str]]:
    """Other ways to read ``text`` that might hide an instruction: (name, text)."""
    for decoded in _base64_readings(text):
        yield "base64", decoded
    for decoded in _hex_readings(folded):
        yield "hex", decoded
    if folded.count("%") >= 3:
        yield "url", urllib.parse.unquote(text)
    if folded.count("&#") >= 3 or "&lt;" in folded:
        yield "html", html.unescape(text)
    for match in _UNICODE_ESCAPE_RE.finditer(folded):
        yield "unicode_escape", codecs.decode(match.group(), "unicode_escape")
    if re.search("[a-z]{3}", folded):
        yield "rot13", codecs.encode(folded, "rot13")
        yield "reversed", folded[::-1]
        if _LEET_RE.search(folded):
            yield "leetspeak", folded.translate(_LEET)


def _hits(
    folded: str, reading: str, rules: tuple[tuple[str, re.Pattern[str]], ...]
) -> Iterator[InjectionHit]:
    for name, pattern in rules:
        if pattern.search(folded):
            yield InjectionHit(name, reading)


def find_injection(
    text: str,
    direction: Direction,
    *,
    decode: bool = True,
    markers: tuple[str, ...] = (),
    scan_chars: int = 8000,
) -> list[InjectionHit]:
    """The injection rules ``text`` sets off, each with the reading it was found in."""
    text = text[:scan_chars]
    folded = fold(text)
    if direction == "output":
        hits = list(_hits(folded, "text", _OUTPUT_RULES))
        hits.extend(
            InjectionHit("marker", "text")
            for marker in markers
            if marker and fold(marker) in folded
        )
        return hits
    hits = list(_hits(folded, "text", _INPUT_RULES))
    if hits or not decode:
        return hits
    if _SPLIT_LETTERS_RE.search(folded):
        compact = re.sub(r"[^0-9a-z\u3040-\u30ff\u4e00-\u9fff]", "", folded)
        if _COMPACT_RE.search(compact):
            return [InjectionHit("spaced", "spaced_letters")]
    return _decoded_hits(text, folded, depth=2)


def _decoded_hits(text: str, folded: str, depth: int) -> list[InjectionHit]:
    for reading, decoded in _readings(text, folded):
        decoded_folded = fold(INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", decoded)))
        if not _TRIGGER_RE.search(decoded_folded):
            if depth > 1 and reading in ("base64", "hex", "url"):
                nested = _decoded_hits(decoded, decoded_folded, depth - 1)
                if nested:
                    return [InjectionHit(hit.rule, f"{reading}+{hit.reading}") for hit in nested]
            continue
        hits = list(_hits(decoded_folded, reading, _INPUT_RULES))
        if not hits and _COMPACT_RE.search(re.sub(r"[^0-9a-z]", "", decoded_folded)):
            hits = [InjectionHit("encoded", reading)]
        if hits:
            return hits
        if depth > 1 and reading in ("base64", "hex", "url"):
            nested = _decoded_hits(decoded, decoded_folded, depth - 1)
            if nested:
                return [InjectionHit(hit.rule, f"{reading}+{hit.reading}") for hit in nested]
    return []


def check_injection(
    text: str,
    direction: Direction,
    *,
    decode: bool = True,
    markers: tuple[str, ...] = (),
    scan_chars: int = 8000,
) -> tuple[Finding, ...]:
    """One blocking finding per rule set off, or none."""
    hits = find_injection(text, direction, decode=decode, markers=markers, scan_chars=scan_chars)
    seen = dict.fromkeys(f"{hit.rule} ({hit.reading})" for hit in hits)
    return tuple(Finding("prompt_injection", "block", detail) for detail in seen)
