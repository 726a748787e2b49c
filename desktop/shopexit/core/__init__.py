"""All of shopexit's logic. Nothing below this package may import Qt: a test enforces it."""
