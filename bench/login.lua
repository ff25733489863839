-- wrk script: POST the login form.
wrk.method = "POST"
wrk.body   = "email=kommunikator%40example.se&password=" .. os.getenv("BENCH_PASSWORD")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
