"""The gallery's image scraper: the examples save their figures as PNG files in the folder they run in
(rather than leave them open); each one written since the build began becomes the example's image and
leaves that folder."""

import shutil
import time
from pathlib import Path

from sphinx_gallery.scrapers import figure_rst

BUILD_START = time.time()


class WrittenPNGs:
    def __call__(self, block, block_vars, gallery_conf):
        folders = {Path.cwd(), Path(block_vars["src_file"]).parent}
        written = sorted(p for folder in folders for p in folder.glob("*.png") if p.stat().st_mtime >= BUILD_START)
        names = []
        for png, target in zip(written, block_vars["image_path_iterator"]):
            shutil.move(str(png), target)
            names.append(target)
        return figure_rst(names, gallery_conf["src_dir"])

    def __repr__(self):
        return "WrittenPNGs()"


def _get_sg_image_scraper():
    return WrittenPNGs()
