"""padan: pemadanan data between KPU's voter list (DPT) and Dukcapil's population register."""

__version__ = "0.1.0"
