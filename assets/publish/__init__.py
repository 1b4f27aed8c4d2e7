from assets.publish.publish_asset import PUBLISH_KEY, build_publish_asset

__all__ = ["PUBLISH_KEY", "build_publish_asset"]
