"""The synthetic promotions: coupons, sales and point campaigns, past, current and coming."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from connectors.store.dice import Dice
from connectors.store.models import Promotion, PromotionKind, Series

JST = timezone(timedelta(hours=9), "JST")


def jst_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), JST)


class _Window:
    """Date ranges counted in days from the catalog's ``as_of`` day."""

    def __init__(self, as_of: date) -> None:
        self._as_of = as_of

    def __call__(self, start: int, end: int) -> tuple[datetime, datetime]:
        return (
            jst_midnight(self._as_of + timedelta(days=start)),
            jst_midnight(self._as_of + timedelta(days=end)),
        )


def _promotion(
    promotion_id: str,
    kind: PromotionKind,
    text: tuple[str, str, str, str],
    window: tuple[datetime, datetime],
    *,
    code: str | None = None,
    percent: int | None = None,
    multiplier: int | None = None,
    min_order: int = 0,
    series: tuple[Series, ...] = (),
    genres: tuple[str, ...] = (),
) -> Promotion:
    return Promotion.model_validate(
        {
            "id": promotion_id,
            "kind": kind,
            "title_ja": text[0],
            "title_en": text[1],
            "description_ja": text[2],
            "description_en": text[3],
            "starts_at": window[0],
            "ends_at": window[1],
            "coupon_code": code,
            "discount_percent": percent,
            "points_multiplier": multiplier,
            "min_order_jpy": min_order,
            "series_ids": tuple(one.id for one in series),
            "genres": genres,
        }
    )


def make_promotions(dice: Dice, as_of: date, series: tuple[Series, ...]) -> tuple[Promotion, ...]:
    days = _Window(as_of)
    anime, points_series, old_sale = dice.pick(series), dice.sample(series, 3), dice.pick(series)
    return (
        _promotion(
            "promo-welcome10",
            "coupon",
            (
                "初回購入10%OFFクーポン",
                "10% off your first order",
                "クーポンコード WELCOME10 で初めてのご注文が10%引きになります（1,000円以上）。",
                "Use code WELCOME10 for 10% off your first order of 1,000 yen or more.",
            ),
            days(-200, 165),
            code="WELCOME10",
            percent=10,
            min_order=1000,
        ),
        _promotion(
            "promo-isekai-fair",
            "sale",
            (
                "異世界フェア 対象作品20%OFF",
                "Isekai Fair: 20% off",
                "異世界ジャンルの対象作品がすべて20%引きです。",
                "Every title in the isekai genre is 20% off.",
            ),
            days(-10, 20),
            percent=20,
            genres=("isekai",),
        ),
        _promotion(
            "promo-anime-sale",
            "sale",
            (
                f"『{anime.title_ja}』アニメ化記念セール",
                f"{anime.title_en}: anime celebration sale",
                f"アニメ化を記念して『{anime.title_ja}』の全巻が30%引きです。",
                f"To celebrate the anime, every volume of {anime.title_en} is 30% off.",
            ),
            days(-5, 25),
            percent=30,
            series=(anime,),
        ),
        _promotion(
            "promo-points-x5",
            "points",
            (
                "対象シリーズ ポイント5倍",
                "5x points on selected series",
                "対象シリーズのご購入でポイントが5倍になります。",
                "Earn five times the points on the selected series.",
            ),
            days(-3, 11),
            multiplier=5,
            series=tuple(points_series),
        ),
        _promotion(
            "promo-manga15",
            "coupon",
            (
                "3,000円以上で15%OFFクーポン",
                "15% off orders of 3,000 yen or more",
                "クーポンコード MANGA15 で3,000円以上のご注文が15%引きになります。",
                "Use code MANGA15 for 15% off orders of 3,000 yen or more.",
            ),
            days(-14, 16),
            code="MANGA15",
            percent=15,
            min_order=3000,
        ),
        _promotion(
            "promo-romance-points",
            "points",
            (
                "恋愛マンガ ポイント3倍",
                "3x points on romance manga",
                "恋愛ジャンルの作品はポイント3倍です。",
                "Romance titles earn three times the points.",
            ),
            days(-7, 7),
            multiplier=3,
            genres=("romance",),
        ),
        _promotion(
            "promo-summer-horror",
            "sale",
            (
                "夏のホラー祭り 25%OFF",
                "Summer Horror Festival: 25% off",
                "ホラー作品が25%引きになる夏の特別セールです。",
                "A summer special: horror titles are 25% off.",
            ),
            days(-130, -100),
            percent=25,
            genres=("horror",),
        ),
        _promotion(
            "promo-spring10",
            "coupon",
            (
                "春の新生活応援クーポン",
                "Spring welcome coupon",
                "クーポンコード SPRING10 でご注文が10%引きになります。",
                "Use code SPRING10 for 10% off your order.",
            ),
            days(-240, -200),
            code="SPRING10",
            percent=10,
        ),
        _promotion(
            "promo-new-year",
            "sale",
            (
                "新春セール 全品15%OFF",
                "New Year sale: 15% off everything",
                "お正月限定で全品15%引きです。",
                "For the New Year holidays, everything is 15% off.",
            ),
            days(-330, -320),
            percent=15,
        ),
        _promotion(
            "promo-old-series-points",
            "points",
            (
                f"『{old_sale.title_ja}』ポイント10倍",
                f"10x points on {old_sale.title_en}",
                f"『{old_sale.title_ja}』のご購入でポイントが10倍になりました。",
                f"Purchases of {old_sale.title_en} earned ten times the points.",
            ),
            days(-60, -45),
            multiplier=10,
            series=(old_sale,),
        ),
        _promotion(
            "promo-year-end",
            "sale",
            (
                "年末大感謝セール 全品20%OFF",
                "Year-end thank-you sale: 20% off everything",
                "年末の感謝を込めて全品20%引きです。",
                "As a year-end thank-you, everything is 20% off.",
            ),
            days(30, 42),
            percent=20,
        ),
        _promotion(
            "promo-winter-coupon",
            "coupon",
            (
                "冬休みクーポン 12%OFF",
                "Winter holiday coupon: 12% off",
                "クーポンコード WINTER12 で冬休み期間のご注文が12%引きになります。",
                "Use code WINTER12 for 12% off orders over the winter holidays.",
            ),
            days(35, 60),
            code="WINTER12",
            percent=12,
            min_order=2000,
        ),
    )
