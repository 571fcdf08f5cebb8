"""gensim's answers for streamvec's parity test: loads a word2vec text file with KeyedVectors.load_word2vec_format,
answers each query of a JSON file ([{"positive": [...], "negative": [...], "k": 10}, ...]) with most_similar
(topn = k + 5, so that ties at the boundary can be told apart), prints one JSON line per query
([[id, score], ...]), and saves the vectors again in the binary format to a third path."""
import json
import sys

from gensim.models import KeyedVectors

vectors_path, queries_path, binary_path = sys.argv[1], sys.argv[2], sys.argv[3]
kv = KeyedVectors.load_word2vec_format(vectors_path, binary=False)
with open(queries_path) as f:
    queries = json.load(f)
for query in queries:
    answer = kv.most_similar(positive=query["positive"], negative=query["negative"], topn=query["k"] + 5)
    print(json.dumps([[key, float(score)] for key, score in answer]))
kv.save_word2vec_format(binary_path, binary=True)
