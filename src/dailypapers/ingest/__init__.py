"""Sources of papers: bulk files (Kaggle snapshot, HF daily JSON) and live feeds. Each parses into domain
records; every source writes through `services.imports`."""
