"""Bilingual word lists the generator composes the synthetic store from.

Every name here is made up; titles are built from these parts, so any
resemblance to a real work, author or publisher is a coincidence.
Romaji is modified Hepburn, with macrons for long vowels.
"""

from __future__ import annotations

from typing import NamedTuple


class Word(NamedTuple):
    ja: str
    en: str
    romaji: str


class Term(NamedTuple):
    """A fixed bilingual term with a stable id: a genre, a demographic, a publisher."""

    id: str
    ja: str
    en: str


GENRES: tuple[Term, ...] = (
    Term("action", "アクション", "action"),
    Term("adventure", "冒険", "adventure"),
    Term("fantasy", "ファンタジー", "fantasy"),
    Term("isekai", "異世界", "isekai"),
    Term("romance", "恋愛", "romance"),
    Term("slice_of_life", "日常", "slice of life"),
    Term("sports", "スポーツ", "sports"),
    Term("mystery", "ミステリー", "mystery"),
    Term("horror", "ホラー", "horror"),
    Term("sci_fi", "SF", "sci-fi"),
    Term("comedy", "コメディ", "comedy"),
    Term("historical", "歴史", "historical"),
    Term("cooking", "料理・グルメ", "cooking"),
    Term("drama", "ドラマ", "drama"),
    Term("music", "音楽", "music"),
)
DEMOGRAPHICS: tuple[Term, ...] = (
    Term("shonen", "少年", "shonen"),
    Term("shojo", "少女", "shojo"),
    Term("seinen", "青年", "seinen"),
    Term("josei", "女性", "josei"),
    Term("kodomo", "児童", "kodomo"),
)

PLACES: tuple[Word, ...] = (
    Word("星降る街", "the Starfall Town", "Hoshifuru Machi"),
    Word("海辺の町", "the Seaside Town", "Umibe no Machi"),
    Word("風見ヶ丘", "Windvane Hill", "Kazamigaoka"),
    Word("月影の森", "the Moonshadow Forest", "Tsukikage no Mori"),
    Word("桜坂", "Cherry Blossom Slope", "Sakurazaka"),
    Word("黄昏の王都", "the Twilight Capital", "Tasogare no Ōto"),
    Word("鋼鉄の城", "the Steel Castle", "Kōtetsu no Shiro"),
    Word("東京湾岸", "the Tokyo Bayside", "Tōkyō Wangan"),
    Word("下町", "the Old Downtown", "Shitamachi"),
    Word("霧の港", "the Misty Harbor", "Kiri no Minato"),
    Word("砂漠の国", "the Desert Kingdom", "Sabaku no Kuni"),
    Word("天空島", "the Sky Island", "Tenkūjima"),
    Word("迷宮都市", "the Labyrinth City", "Meikyū Toshi"),
    Word("古書店街", "the Old Bookstore Street", "Koshotengai"),
    Word("深海", "the Deep Sea", "Shinkai"),
    Word("辺境", "the Frontier", "Henkyō"),
    Word("魔法学園", "the Magic Academy", "Mahō Gakuen"),
    Word("夜明けの村", "the Dawn Village", "Yoake no Mura"),
    Word("氷の大陸", "the Ice Continent", "Kōri no Tairiku"),
    Word("江戸", "Edo", "Edo"),
    Word("京都", "Kyoto", "Kyōto"),
    Word("北の大地", "the Northern Land", "Kita no Daichi"),
    Word("花園", "the Flower Garden", "Hanazono"),
    Word("銀河", "the Galaxy", "Ginga"),
    Word("商店街", "the Shopping Street", "Shōtengai"),
)
PERSONS: tuple[Word, ...] = (
    Word("剣士", "Swordsman", "Kenshi"),
    Word("魔法使い", "Wizard", "Mahōtsukai"),
    Word("料理人", "Cook", "Ryōrinin"),
    Word("探偵", "Detective", "Tantei"),
    Word("騎士", "Knight", "Kishi"),
    Word("姫", "Princess", "Hime"),
    Word("錬金術師", "Alchemist", "Renkinjutsushi"),
    Word("忍者", "Ninja", "Ninja"),
    Word("侍", "Samurai", "Samurai"),
    Word("医者", "Doctor", "Isha"),
    Word("勇者", "Hero", "Yūsha"),
    Word("魔王", "Demon Lord", "Maō"),
    Word("聖女", "Saint", "Seijo"),
    Word("画家", "Painter", "Gaka"),
    Word("郵便屋", "Mail Carrier", "Yūbinya"),
    Word("吸血鬼", "Vampire", "Kyūketsuki"),
    Word("竜使い", "Dragon Tamer", "Ryūtsukai"),
    Word("占い師", "Fortune Teller", "Uranaishi"),
    Word("司書", "Librarian", "Shisho"),
    Word("鍛冶屋", "Blacksmith", "Kajiya"),
    Word("狩人", "Hunter", "Karyūdo"),
    Word("歌姫", "Diva", "Utahime"),
    Word("執事", "Butler", "Shitsuji"),
    Word("店主", "Shopkeeper", "Tenshu"),
    Word("怪盗", "Phantom Thief", "Kaitō"),
    Word("巫女", "Shrine Maiden", "Miko"),
    Word("機械人形", "Automaton", "Kikai Ningyō"),
    Word("転校生", "Transfer Student", "Tenkōsei"),
)
THINGS: tuple[Word, ...] = (
    Word("黒猫", "Black Cat", "Kuroneko"),
    Word("白い竜", "White Dragon", "Shiroi Ryū"),
    Word("青い鳥", "Blue Bird", "Aoi Tori"),
    Word("約束", "Promise", "Yakusoku"),
    Word("花束", "Bouquet", "Hanataba"),
    Word("時計塔", "Clock Tower", "Tokeitō"),
    Word("魔導書", "Grimoire", "Madōsho"),
    Word("手紙", "Letter", "Tegami"),
    Word("狐", "Fox", "Kitsune"),
    Word("幽霊", "Ghost", "Yūrei"),
    Word("宝石", "Jewel", "Hōseki"),
    Word("仮面", "Mask", "Kamen"),
    Word("鏡", "Mirror", "Kagami"),
    Word("弁当", "Lunchbox", "Bentō"),
    Word("紅茶", "Tea", "Kōcha"),
    Word("旋律", "Melody", "Senritsu"),
    Word("地図", "Map", "Chizu"),
    Word("灯台", "Lighthouse", "Tōdai"),
    Word("銀の鍵", "Silver Key", "Gin no Kagi"),
    Word("星空", "Starry Sky", "Hoshizora"),
)
QUALITIES: tuple[Word, ...] = (
    Word("最強の", "Strongest", "Saikyō no"),
    Word("泣き虫", "Crybaby", "Nakimushi"),
    Word("最後の", "Last", "Saigo no"),
    Word("見習い", "Apprentice", "Minarai"),
    Word("放課後の", "After-School", "Hōkago no"),
    Word("嘘つき", "Lying", "Usotsuki"),
    Word("眠れる", "Sleeping", "Nemureru"),
    Word("秘密の", "Secret", "Himitsu no"),
    Word("流浪の", "Wandering", "Rurō no"),
    Word("小さな", "Little", "Chiisana"),
    Word("無口な", "Silent", "Mukuchi na"),
    Word("元", "Former", "Moto"),
)

# fmt: off
FAMILY_NAMES: tuple[tuple[str, str], ...] = (
    ("山田", "Yamada"), ("佐藤", "Satō"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"),
    ("田中", "Tanaka"), ("伊藤", "Itō"), ("渡辺", "Watanabe"), ("中村", "Nakamura"),
    ("小林", "Kobayashi"), ("加藤", "Katō"), ("吉田", "Yoshida"), ("山本", "Yamamoto"),
    ("松本", "Matsumoto"), ("井上", "Inoue"), ("木村", "Kimura"), ("林", "Hayashi"),
    ("清水", "Shimizu"), ("森", "Mori"), ("池田", "Ikeda"), ("橋本", "Hashimoto"),
    ("石川", "Ishikawa"), ("前田", "Maeda"), ("藤田", "Fujita"), ("岡田", "Okada"),
    ("長谷川", "Hasegawa"), ("近藤", "Kondō"), ("坂本", "Sakamoto"), ("遠藤", "Endō"),
    ("青木", "Aoki"), ("西村", "Nishimura"), ("太田", "Ōta"), ("三浦", "Miura"),
    ("星野", "Hoshino"), ("桜井", "Sakurai"), ("水野", "Mizuno"), ("月島", "Tsukishima"),
    ("朝霧", "Asagiri"), ("雪村", "Yukimura"), ("神崎", "Kanzaki"), ("白石", "Shiraishi"),
)
# fmt: on
# fmt: off
GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("太郎", "Tarō"), ("花子", "Hanako"), ("健太", "Kenta"), ("美咲", "Misaki"),
    ("翔", "Shō"), ("由美", "Yumi"), ("大輔", "Daisuke"), ("さくら", "Sakura"),
    ("拓海", "Takumi"), ("葵", "Aoi"), ("直樹", "Naoki"), ("真央", "Mao"),
    ("亮", "Ryō"), ("結衣", "Yui"), ("悠斗", "Yūto"), ("千尋", "Chihiro"),
    ("誠", "Makoto"), ("遥", "Haruka"), ("蓮", "Ren"), ("陽菜", "Hina"),
    ("涼子", "Ryōko"), ("航", "Wataru"), ("恵", "Megumi"), ("和也", "Kazuya"),
    ("彩", "Aya"), ("修", "Osamu"), ("綾乃", "Ayano"), ("慎吾", "Shingo"),
    ("菜々子", "Nanako"), ("光", "Hikaru"),
)
# fmt: on

PUBLISHERS: tuple[Term, ...] = (
    Term("pub-gekko", "月光書房", "Moonlight Books"),
    Term("pub-seiran", "青嵐社", "Blue Storm Press"),
    Term("pub-sakurabune", "桜舟出版", "Cherry Boat Publishing"),
    Term("pub-shirasagi", "白鷺コミックス", "White Heron Comics"),
    Term("pub-gingado", "銀河堂", "Galaxy Hall"),
    Term("pub-kazaguruma", "風車館", "Pinwheel House"),
    Term("pub-koyo", "紅葉社", "Maple Leaf Press"),
    Term("pub-shinonome", "東雲出版", "Daybreak Publishing"),
)

# One line of review per genre, and one per place of the volume in its series.
GENRE_REVIEWS: dict[str, tuple[str, str]] = {
    "action": ("迫力あるバトル描写が魅力。", "Gripping, kinetic fight scenes."),
    "adventure": ("旅の高揚感が伝わってくる。", "You feel the thrill of the journey."),
    "fantasy": ("世界観の作り込みが見事。", "A richly built fantasy world."),
    "isekai": ("異世界での奮闘が痛快。", "A fun romp through another world."),
    "romance": ("二人の距離感にときめく。", "The slow-burn romance hits the spot."),
    "slice_of_life": ("穏やかな日常に癒やされる。", "A calm, comforting everyday story."),
    "sports": ("試合の熱気がページから伝わる。", "The matches leap off the page."),
    "mystery": ("伏線の回収が鮮やか。", "Clues pay off beautifully."),
    "horror": ("じわじわ来る怖さがクセになる。", "Creeping dread that is hard to put down."),
    "sci_fi": ("設定の緻密さに引き込まれる。", "Detailed, absorbing science fiction."),
    "comedy": ("テンポの良いギャグで笑える。", "Snappy gags that land."),
    "historical": ("時代の空気が丁寧に描かれる。", "The period is drawn with care."),
    "cooking": ("料理がとにかく美味しそう。", "The food looks delicious."),
    "drama": ("登場人物の葛藤が胸に刺さる。", "The characters' struggles hit hard."),
    "music": ("音が聞こえてくるような演出。", "You can almost hear the music."),
}
OPENING_REVIEW = ("導入としてわかりやすい一冊。", "An easy way into the story.")
MIDDLE_REVIEWS: tuple[tuple[str, str], ...] = (
    ("物語が大きく動く巻。", "The plot takes a big turn here."),
    ("新キャラクターの登場で盛り上がる。", "New characters liven things up."),
    ("じっくり読ませる展開。", "A slower, thoughtful volume."),
)
FINAL_REVIEW = ("感動の完結巻。", "A moving final volume.")
BOX_SET_REVIEW = ("まとめて一気に読みたい人に最適。", "Best for reading the whole story in one go.")
