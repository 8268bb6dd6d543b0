# 津波のときに使える指定緊急避難場所と、想定収容人数の合計（Python 3 の標準ライブラリだけで動きます）
import csv
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "131024_evacuation_space.csv"
with open(path, encoding="utf-8-sig", newline="") as f:
    sites = [row for row in csv.DictReader(f) if row["災害種別_津波"] == "1"]

for row in sites:
    print(row["名称"], row["所在地_連結表記"], row["想定収容人数"] or "（人数の記載なし）")
total = sum(int(row["想定収容人数"]) for row in sites if row["想定収容人数"])
print(f"{len(sites)}か所、想定収容人数の合計 {total}人")
