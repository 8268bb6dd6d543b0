import sys
from pathlib import Path

# The action package is imported the way the action server imports it (from chatbot/).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
