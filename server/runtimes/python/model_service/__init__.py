"""Base classes of the ModelArts model-package contract (guide §4.1.3), as Anvil provides them."""
