"""ourlondon: find something positive to do nearby, for young Londoners."""
