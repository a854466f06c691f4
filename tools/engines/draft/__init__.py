"""The `draft` provider: a local renderer (Pillow draws, PyAV encodes) that needs no account.

`provider` is what the registry asks (its one model, its engine, its copy check); `engine` renders and encodes;
`design` holds what every motion design shares and `scenes` the designs, one per template; `shots` shows
references full frame and `story` cuts a long clip's middle into beats; `kit` holds the drawing primitives and
the stage, `text` the fonts and line fitting, `audio` the music bed, `cutout` takes a product off its backdrop,
and `palette` picks the colours (the brand kit's by role, else the references' or the brief's). The engine reads
the kit's logos and fonts from storage; `text` sets words in the kit's fonts and the end card carries its logo,
call to action, website and legal line.
"""
