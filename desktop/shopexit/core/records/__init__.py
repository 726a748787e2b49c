"""Reading and writing the vault's records. Every write goes through here so it lands with its audit entry."""
