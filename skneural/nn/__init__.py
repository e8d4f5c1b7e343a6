"""The engine: layers, the network's forward and backward passes over one flat parameter vector."""
