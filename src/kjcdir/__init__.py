"""kjcdir: the contact directory of the Hessian municipal jobcenters."""

__version__ = "0.1.0"
