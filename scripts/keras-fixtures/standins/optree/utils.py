"""Empty: Keras imports optree.utils but calls nothing from it."""
