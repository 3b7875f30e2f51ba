"""The demo that `seed_demo` loads: content and accounts an evaluator can explore. Demo only."""
