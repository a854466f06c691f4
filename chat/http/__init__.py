"""The web side: the REST API's routes per resource (routes/), its dependencies (deps.py) and error shape
(problems.py), the signed file route (files.py), and the guards in front of everything (site.py, signin.py,
uploads.py). chat/server.py puts them together, in one order."""
