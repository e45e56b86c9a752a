"""The safety layer: crisis and disclosure signals that win over everything else."""
