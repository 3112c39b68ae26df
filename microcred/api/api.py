from ninja import NinjaAPI

api = NinjaAPI(title="Microcred API", version="1", urls_namespace="api")
