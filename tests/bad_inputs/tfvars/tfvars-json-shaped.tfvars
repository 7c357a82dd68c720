{"size": 10}
