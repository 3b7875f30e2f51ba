"""Run the benchmarks (all, or those named on the command line) against DATABASE_URL and REDIS_URL."""

import importlib
import pkgutil
import sys
import time
import traceback

import benchmarks


def main(argv: list[str]) -> int:
    names = argv or sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if not m.name.startswith("_")
    )
    failed: list[str] = []
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            module.main()
        except Exception:
            # One benchmark failing must not hide the others' figures: report it, go on, and
            # exit non-zero at the end.
            traceback.print_exc()
            failed.append(name)
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    if failed:
        print(f"\nFAILED: {', '.join(failed)}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
