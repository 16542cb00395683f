"""Risk and RAID reads: matrix, register, exposure history and the RAID log."""
