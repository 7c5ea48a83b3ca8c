"""Prints the quality report of exported model directories (manifest.json "quality") as a markdown table, with the
ONNX bytes per dtype, and writes the rows to bench/results/quality-<name>.json.

    .venv/bin/python bench/python/quality_table.py models/tiny/patho-r1 models/tiny/pathoclip
"""
import argparse
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def onnx_bytes(manifest: dict) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for name, entry in manifest["files"].items():
        if name.startswith("onnx/") and entry.get("dtype"):
            sizes[entry["dtype"]] = sizes.get(entry["dtype"], 0) + entry["size"]
    return sizes


def rows(model_dir: pathlib.Path) -> list[dict]:
    manifest = json.loads((model_dir / "manifest.json").read_text())
    sizes = onnx_bytes(manifest)
    out = []
    for dtype, entry in manifest["quality"]["dtypes"].items():
        row = {"dtype": dtype, "onnx_bytes": sizes.get(dtype, 0), "below_quality": entry["below_quality"]}
        for key, value in entry.items():
            if isinstance(value, dict):
                row[f"{key}_min"], row[f"{key}_mean"] = value["min"], value["mean"]
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                row[key] = value
        out.append(row)
    return out


def markdown(table: list[dict]) -> str:
    keys = list(dict.fromkeys(k for row in table for k in row))
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in table:
        cells = []
        for key in keys:
            value = row.get(key, "")
            cells.append(f"{value / 1e6:.2f} MB" if key == "onnx_bytes" else
                         f"{value:.4f}" if isinstance(value, float) else str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dirs", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    for model_dir in args.dirs:
        table = rows(model_dir)
        print(f"\n{model_dir}\n\n{markdown(table)}")
        out = ROOT / "bench" / "results" / f"quality-{model_dir.name}.json"
        out.write_text(json.dumps({"model_dir": str(model_dir), "rows": table}, indent=1) + "\n")


if __name__ == "__main__":
    main()
