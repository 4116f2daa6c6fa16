"""Log every request made with a street's token, with the status of the answer (api.models.ApiRequest)."""

from api import services


class TokenRequestLogMiddleware:
    """After the answer, one log row for a request that named a known token (refused ones included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        token = getattr(request, "api_token", None)
        if token is not None:
            services.request_record(token=token, method=request.method, path=request.get_full_path(),
                                    status=response.status_code)
        return response
