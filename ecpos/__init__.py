"""ecpos: the composition root. It wires the layers' commands together; the layers never import it."""
