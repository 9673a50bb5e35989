"""Analytics: immutable Parquet snapshots, and metrics as Ibis expressions over them."""
