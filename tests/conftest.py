import json
import os
import tempfile

# Qt tests run without a screen (CI has none). The offscreen platform's default screen is
# 800x600, smaller than any classroom's; give it a 1920x1080 projector instead, before any Qt
# import, so window geometry behaves as on a real desktop.
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    _screen = os.path.join(tempfile.gettempdir(), "playground-test-screen.json")
    with open(_screen, "w") as fh:
        json.dump({"screens": [{"name": "projector", "x": 0, "y": 0, "width": 1920,
                                "height": 1080, "logicalDpi": 96, "dpr": 1}]}, fh)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_screen}"
