"""womsim's benchmarks, measured side by side with its peers in one run.

Run ``python -m benchmarks.run --help``; ``docs/performance.md`` holds the latest table.
Every measurement runs in a fresh child process, so one library's memory or JIT state never
colours another's numbers.
"""
