"""The benchmark suite's orchestration: servers, peer environments, sampling, report."""
