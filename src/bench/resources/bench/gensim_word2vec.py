"""Anchor for `streamvec bench song2vec`: gensim Word2Vec on a playlist file (one playlist of song ids per
line), vectors written in word2vec text format; prints one JSON line with the wall time of Word2Vec(...)
(vocabulary build + training), the songs and the epochs."""
import json
import sys
import time

from gensim.models import Word2Vec

train_path, out_path, params_json = sys.argv[1], sys.argv[2], sys.argv[3]
params = json.loads(params_json)
with open(train_path) as f:
    playlists = [line.split() for line in f]
songs = sum(len(p) for p in playlists)
started = time.perf_counter()
model = Word2Vec(playlists, **params)
seconds = time.perf_counter() - started
model.wv.save_word2vec_format(out_path, binary=False)
print(json.dumps({"seconds": seconds, "songs": songs, "epochs": model.epochs, "vocab": len(model.wv)}))
