"""Orders service: takes checkouts from the storefront and drives them to fulfilment."""

from flask import Flask

from app.config import Settings


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.from_object(Settings())

    from app.main import bp

    app.register_blueprint(bp)
    return app
