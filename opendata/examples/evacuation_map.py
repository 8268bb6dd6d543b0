# 指定緊急避難場所の CSV を地図用の GeoJSON に変換します（標準ライブラリだけで動きます）。
# できた evacuation_space.geojson は、QGIS、地理院地図（「ファイル」から読み込み）、
# geojson.io などにそのまま重ねて表示できます。
import csv
import json
import sys

DISASTERS = ["洪水", "崖崩れ、土石流及び地滑り", "高潮", "地震", "津波", "大規模な火事", "内水氾濫", "火山現象"]

path = sys.argv[1] if len(sys.argv) > 1 else "131024_evacuation_space.csv"
out = sys.argv[2] if len(sys.argv) > 2 else "evacuation_space.geojson"
features = []
with open(path, encoding="utf-8-sig", newline="") as f:
    for row in csv.DictReader(f):
        if not row["緯度"] or not row["経度"]:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(row["経度"]), float(row["緯度"])]},
            "properties": {
                "名称": row["名称"],
                "住所": row["所在地_連結表記"],
                "使える災害": [d for d in DISASTERS if row[f"災害種別_{d}"] == "1"],
                "想定収容人数": int(row["想定収容人数"]) if row["想定収容人数"] else None,
            },
        })
with open(out, "w", encoding="utf-8") as f:
    json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False, indent=1)
print(f"{len(features)}か所を {out} に書き出しました")
